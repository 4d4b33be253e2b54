/**
 * The status charts' time axis: the x range is the window actually sampled (at least a minute, or
 * ten sampling intervals, ending at the newest sample), and ticks fall on round clock times, labelled
 * as times of day. Left to itself uPlot pads a range of one or two samples out to years.
 */

/** Tick steps in seconds, round on a clock face. */
const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];
const MIN_SPAN_SECONDS = 60;
const MIN_INTERVALS = 10;

/** [min, max] in epoch seconds for samples taken every `intervalSeconds`. */
export function timeWindow(sampleTimes: readonly number[], intervalSeconds: number, nowSeconds = Math.floor(Date.now() / 1000)): [number, number] {
  const last = sampleTimes.length > 0 ? sampleTimes[sampleTimes.length - 1]! : nowSeconds;
  const first = sampleTimes.length > 0 ? sampleTimes[0]! : last;
  const span = Math.max(last - first, MIN_SPAN_SECONDS, MIN_INTERVALS * Math.max(1, intervalSeconds));
  return [last - span, last];
}

/** The tick step for a span: the smallest round step giving at most `maxTicks` ticks. */
export function tickStep(spanSeconds: number, maxTicks = 6): number {
  return STEPS.find((s) => spanSeconds / s <= maxTicks) ?? Math.ceil(spanSeconds / maxTicks / 86_400) * 86_400;
}

/** Tick positions: multiples of the step (in local time for steps of an hour or more) within [min, max]. */
export function timeTicks(min: number, max: number, maxTicks = 6): number[] {
  const step = tickStep(max - min, maxTicks);
  // Whole hours and days fall on the local clock, not on UTC's.
  const offset = step >= 3600 ? -new Date(min * 1000).getTimezoneOffset() * 60 : 0;
  const ticks: number[] = [];
  for (let t = Math.ceil((min + offset) / step) * step - offset; t <= max; t += step) ticks.push(t);
  return ticks;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A tick's label: HH:MM:SS under a minute's step, HH:MM under six hours', then MM-DD HH:MM. */
export function formatTick(t: number, step: number): string {
  const d = new Date(t * 1000);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (step < 60) return `${hm}:${pad(d.getSeconds())}`;
  if (step < 21_600) return hm;
  return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}`;
}
