/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** Status: models and their accreditation, policy and guard versions, request and decision charts (uPlot). */
import uPlot from 'uplot';
import { describeError, getJson } from './api.ts';
import { formatTick, tickStep, timeTicks, timeWindow } from './chart-time.ts';
import { h, mainRegion } from './dom.ts';

interface Sample { t: number; requests: { ok: number; client_error: number; server_error: number }; decisions: { allow: number; deny: number; hold: number } }
interface StatusInfo {
  models: Array<{ id: string; backend: string; accredited: string; retrieval: boolean; description: string; usable: boolean }>;
  versions: Record<string, string>;
  policies: Array<{ id: string; effect: string; source: string }>;
  store: { kind: string; status: string };
  interval_seconds: number;
  samples: Sample[];
}

/** Per-interval differences of cumulative counters, as uPlot's column data. */
function deltas(samples: readonly Sample[], pick: (s: Sample) => number[]): uPlot.AlignedData {
  const xs: number[] = [];
  const cols: number[][] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = pick(samples[i - 1]!);
    const b = pick(samples[i]!);
    xs.push(samples[i]!.t);
    b.forEach((v, k) => { (cols[k] ??= []).push(Math.max(0, v - (a[k] ?? 0))); });
  }
  return [xs, ...cols];
}

function chart(title: string, names: string[], colours: string[], data: uPlot.AlignedData, xRange: [number, number], width: number): HTMLElement {
  const box = h('figure', { class: 'chart', 'data-testid': 'chart', 'data-x-min': xRange[0], 'data-x-max': xRange[1] }, h('figcaption', {}, title));
  const step = tickStep(xRange[1] - xRange[0]);
  const opts: uPlot.Options = {
    width, height: 200,
    // The x range is the window sampled, never uPlot's padding (which spans years for one sample).
    scales: { x: { time: true, range: (): uPlot.Range.MinMax => [...xRange] }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
    // Zooming would fight the fixed window; the charts are for a glance, not for analysis.
    cursor: { drag: { x: false, y: false } },
    series: [{}, ...names.map((label, i) => ({ label, stroke: colours[i]!, width: 2, points: { show: data[0].length < 3 } }))],
    axes: [
      { splits: (_u, _i, min, max) => timeTicks(min, max), values: (_u, ticks) => ticks.map((t) => formatTick(t, step)) },
      { label: 'per interval' },
    ],
  };
  // uPlot measures its container: attach first, then draw.
  queueMicrotask(() => new uPlot(opts, data, box));
  return box;
}

export async function renderStatus(): Promise<void> {
  const main = mainRegion();
  const body = h('div', { id: 'status-body' }, h('p', { class: 'muted' }, 'Loading…'));
  main.append(body);
  let s: StatusInfo;
  try {
    s = await getJson<StatusInfo>('/console/api/status');
  } catch (err) {
    body.replaceChildren(h('p', { class: 'error', role: 'alert' }, describeError(err)));
    return;
  }
  const width = Math.max(320, Math.min(900, main.clientWidth - 32));
  const xRange = timeWindow(s.samples.map((x) => x.t), s.interval_seconds);
  const minutes = Math.round((xRange[1] - xRange[0]) / 60);
  body.replaceChildren(
    h('section', { class: 'card' }, h('h2', {}, 'Models'),
      h('table', { 'data-testid': 'models' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Model'), h('th', { scope: 'col' }, 'Backend'), h('th', { scope: 'col' }, 'Accredited up to'), h('th', { scope: 'col' }, 'Corpus'), h('th', { scope: 'col' }, 'Available to you'))),
        h('tbody', {}, ...s.models.map((m) => h('tr', {}, h('td', {}, m.id), h('td', {}, m.backend), h('td', {}, m.accredited), h('td', {}, m.retrieval ? 'yes' : 'no'), h('td', {}, m.usable ? 'yes' : 'no')))))),
    h('section', { class: 'card' }, h('h2', {}, 'Versions'),
      h('dl', { 'data-testid': 'versions' }, ...Object.entries(s.versions).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, h('code', {}, v))]),
        h('dt', {}, 'policies loaded'), h('dd', {}, `${s.policies.length} (${s.policies.filter((p) => p.effect === 'forbid').length} forbid)`),
        h('dt', {}, 'store'), h('dd', {}, `${s.store.kind}: ${s.store.status}`))),
    h('section', { class: 'card' }, h('h2', {}, `Activity: the last ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}, sampled every ${s.interval_seconds} s`),
      chart('Requests', ['2xx/3xx', '4xx', '5xx'], ['#2e7d32', '#ef6c00', '#c62828'], deltas(s.samples, (x) => [x.requests.ok, x.requests.client_error, x.requests.server_error]), xRange, width),
      chart('Decisions', ['allow', 'deny', 'hold'], ['#2e7d32', '#c62828', '#1565c0'], deltas(s.samples, (x) => [x.decisions.allow, x.decisions.deny, x.decisions.hold]), xRange, width)),
  );
}
