/** Picks per-category decision thresholds from out-of-fold scores (never from the held-out split). */
import type { Guards } from './guards.ts';
import type { LabelledLine } from './eval.ts';
import { RED_LINES, type GuardCategory, type GuardThresholds } from './types.ts';

export interface CalibrationOptions {
  /** Most hard-negative false positives one category may cause, as a share of hard negatives. */
  falsePositiveBudget: number;
  /** Weight of a hard-negative false positive against a missed positive, within the budget. */
  falsePositiveCost: number;
  min: number;
  max: number;
}

export const DEFAULT_CALIBRATION: CalibrationOptions = { falsePositiveBudget: 0.015, falsePositiveCost: 4, min: 0.3, max: 0.9 };

export interface ScoredLine { label: GuardCategory; hardNegative: boolean; scores: Record<GuardCategory, number> }

/** Scores lines with the local layers, for calibration. */
export function scoreLines(guards: Guards, lines: readonly LabelledLine[]): ScoredLine[] {
  return lines.map((l) => ({ label: l.label, hardNegative: l.hard_negative ?? false, scores: guards.classify(l.text, { source: l.source ?? 'user' }).scores }));
}

/**
 * For each red line, among thresholds whose hard-negative false-positive rate stays within the
 * budget (so the four red lines together stay near 3%), the one that maximises
 * recall - cost * rate; among equally good thresholds, the middle one, for margin.
 */
export function calibrateThresholds(scored: readonly ScoredLine[], base: GuardThresholds, options: Partial<CalibrationOptions> = {}): GuardThresholds {
  const o = { ...DEFAULT_CALIBRATION, ...options };
  const hard = scored.filter((s) => s.label === 'none' && s.hardNegative);
  const out = { ...base };
  for (const c of RED_LINES) {
    const pos = scored.filter((s) => s.label === c);
    if (pos.length === 0) continue;
    let best = -Infinity;
    let ties: number[] = [];
    for (let i = Math.round(o.min * 100); i <= Math.round(o.max * 100); i++) {
      const t = i / 100;
      const recall = pos.filter((s) => s.scores[c] >= t).length / pos.length;
      const fp = hard.length ? hard.filter((s) => s.scores[c] >= t).length / hard.length : 0;
      const value = fp <= o.falsePositiveBudget ? recall - o.falsePositiveCost * fp : -1 - fp;
      if (value > best + 1e-12) { best = value; ties = [t]; } else if (Math.abs(value - best) <= 1e-12) ties.push(t);
    }
    out[c] = ties[Math.floor(ties.length / 2)] ?? base[c];
  }
  return out;
}
