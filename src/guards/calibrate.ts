/** Picks per-category decision thresholds from out-of-fold scores (never from the held-out split). */
import type { Guards } from './guards.ts';
import type { LabelledLine } from './eval.ts';
import { RED_LINES, type GuardCategory, type GuardThresholds } from './types.ts';

export interface CalibrationOptions {
  /** Most hard negatives that may be flagged as any red line, as a share of hard negatives. */
  falsePositiveBudget: number;
  min: number;
  max: number;
}

/**
 * The target is at most 3% of hard negatives flagged on unseen data; thresholds chosen on the same
 * out-of-fold scores they are measured on flatter themselves, so the budget keeps some margin.
 */
export const DEFAULT_CALIBRATION: CalibrationOptions = { falsePositiveBudget: 0.025, min: 0.3, max: 0.99 };

export interface ScoredLine { label: GuardCategory; hardNegative: boolean; scores: Record<GuardCategory, number> }

/** Scores lines with the local layers, for calibration. */
export function scoreLines(guards: Guards, lines: readonly LabelledLine[]): ScoredLine[] {
  return lines.map((l) => ({ label: l.label, hardNegative: l.hard_negative ?? false, scores: guards.classify(l.text, { source: l.source ?? 'user' }).scores }));
}

/** Hard negatives flagged as any red line under the given thresholds. */
function countFlagged(hard: readonly ScoredLine[], th: GuardThresholds): number {
  return hard.filter((s) => RED_LINES.some((c) => s.scores[c] >= th[c])).length;
}

/**
 * Joint thresholds under one false-positive budget for all red lines together. Starting from the
 * strictest threshold everywhere, it repeatedly lowers the one category's threshold that buys the
 * most log-recall per hard negative newly flagged (so the weakest category gains first),
 * while the share of hard negatives flagged stays within the budget.
 */
export function calibrateThresholds(scored: readonly ScoredLine[], base: GuardThresholds, options: Partial<CalibrationOptions> = {}): GuardThresholds {
  const o = { ...DEFAULT_CALIBRATION, ...options };
  const hard = scored.filter((s) => s.label === 'none' && s.hardNegative);
  const budget = Math.floor(o.falsePositiveBudget * hard.length);
  const th: GuardThresholds = { ...base };
  const lo = Math.round(o.min * 100);
  const hi = Math.round(o.max * 100);
  const pos = new Map(RED_LINES.map((c) => [c, scored.filter((s) => s.label === c).map((s) => s.scores[c])]));
  const recall = (c: (typeof RED_LINES)[number], t: number): number => {
    const p = pos.get(c) ?? [];
    return p.length ? p.filter((x) => x >= t).length / p.length : 1;
  };
  for (const c of RED_LINES) th[c] = hi / 100;
  let flagged = countFlagged(hard, th);
  for (;;) {
    let best: { c: (typeof RED_LINES)[number]; t: number; flagged: number; value: number } | null = null;
    for (const c of RED_LINES) {
      const now = recall(c, th[c]);
      // Look a few steps down, so a plateau of equal recall does not stop the search.
      for (let i = Math.round(th[c] * 100) - 1; i >= lo && i >= Math.round(th[c] * 100) - 10; i--) {
        const t = i / 100;
        const gain = recall(c, t) - now;
        if (gain <= 0) continue;
        const f = countFlagged(hard, { ...th, [c]: t });
        if (f > budget) break;
        const value = (gain / Math.max(now, 0.05)) / (f - flagged + 0.5);
        if (!best || value > best.value) best = { c, t, flagged: f, value };
        break;
      }
    }
    if (!best) break;
    th[best.c] = best.t;
    flagged = best.flagged;
  }
  return th;
}
