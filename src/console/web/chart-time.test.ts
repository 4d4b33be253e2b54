/** The status charts' time axis: the window sampled, round ticks, time-of-day labels (never years). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatTick, tickStep, timeTicks, timeWindow } from './chart-time.ts';

const T0 = Date.parse('2026-03-01T12:00:07Z') / 1000;

describe('chart time axis', () => {
  it('spans at least a minute (or ten intervals) ending at the newest sample when there are few samples', () => {
    assert.deepEqual(timeWindow([T0], 1), [T0 - 60, T0]);
    assert.deepEqual(timeWindow([T0, T0 + 1], 1), [T0 + 1 - 60, T0 + 1]);
    assert.deepEqual(timeWindow([T0, T0 + 10], 10), [T0 + 10 - 100, T0 + 10], 'ten intervals of 10 s');
    assert.deepEqual(timeWindow([], 10, T0), [T0 - 100, T0], 'no samples: the last ten intervals before now');
  });

  it('spans exactly the samples when they cover more than that', () => {
    const times = Array.from({ length: 360 }, (_, i) => T0 + i * 10);
    assert.deepEqual(timeWindow(times, 10), [T0, T0 + 3590]);
  });

  it('places a handful of ticks on round clock times inside the window', () => {
    for (const [span, step] of [[60, 10], [100, 30], [600, 120], [3590, 600], [6 * 3600, 3600], [3 * 86_400, 43_200]] as const) {
      const [min, max] = [T0 - span, T0];
      assert.equal(tickStep(span), step, `span ${span}`);
      const ticks = timeTicks(min, max);
      assert.ok(ticks.length >= 2 && ticks.length <= 7, `span ${span}: ${ticks.length} ticks`);
      for (const t of ticks) {
        assert.ok(t >= min && t <= max);
        if (step < 3600) assert.equal(t % step, 0, `tick ${t} on a multiple of ${step} s`);
      }
      for (let i = 1; i < ticks.length; i++) assert.equal(ticks[i]! - ticks[i - 1]!, step);
    }
  });

  it('labels ticks as times of day, with seconds only for steps under a minute, and never a year', () => {
    const labels = (span: number) => { const step = tickStep(span); return timeTicks(T0 - span, T0).map((t) => formatTick(t, step)); };
    for (const l of labels(60)) assert.match(l, /^\d{2}:\d{2}:\d{2}$/);
    for (const l of labels(3600)) assert.match(l, /^\d{2}:\d{2}$/);
    for (const l of labels(3 * 86_400)) assert.match(l, /^\d{2}-\d{2} \d{2}:\d{2}$/);
    for (const span of [60, 600, 3600, 86_400]) for (const l of labels(span)) assert.doesNotMatch(l, /\b(19|20)\d{2}\b/);
  });
});
