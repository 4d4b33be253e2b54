/** Metrics arithmetic and line parsing of the evaluation, on a stub guard with known answers. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateGuards, formatReport, parseLabelledLines, percentile } from './eval.ts';
import type { Guards } from './guards.ts';
import { emptyScores, type GuardCategory, type GuardSignal } from './types.ts';

/** A guard that answers from a table, so every metric is known in advance. */
function stubGuards(answers: Record<string, GuardCategory>): Guards {
  const classify = (text: string): GuardSignal => {
    const category = answers[text] ?? 'none';
    return { category, score: 0.9, scores: { ...emptyScores(), [category]: 0.9 }, evidence: [] };
  };
  return {
    thresholds: { mass_surveillance: 0.5, use_of_force: 0.5, wmd: 0.5, prompt_injection: 0.5 },
    classify,
    classifyWithJudge: async (text) => classify(text),
    scanPortion: (text) => ({ drop: false, signal: classify(text) }),
    filterContext: (portions) => ({ kept: [...portions], dropped: [] }),
  };
}

describe('parseLabelledLines', () => {
  it('keeps good lines and names the bad ones by line number', () => {
    const { lines, errors } = parseLabelledLines('{"id":"a","text":"x","label":"wmd"}\nnope\n\n{"id":2,"text":"y","label":"bogus"}\n{"id":"c","text":"z","label":"none","hard_negative":true}\n');
    assert.deepEqual(lines.map((l) => l.id), ['a', 'c']);
    assert.deepEqual(errors.map((e) => e.line), [2, 4]);
    assert.match(errors[1]?.error ?? '', /label/);
  });
});

describe('evaluateGuards', () => {
  it('computes precision, recall, F1, false-positive rates and the confusion matrix', async () => {
    const lines = [
      { id: '1', text: 'w1', label: 'wmd' as const },
      { id: '2', text: 'w2', label: 'wmd' as const },
      { id: '3', text: 'n1', label: 'none' as const, hard_negative: true },
      { id: '4', text: 'n2', label: 'none' as const, hard_negative: true },
      { id: '5', text: 'n3', label: 'none' as const },
      { id: '6', text: 'p1', label: 'prompt_injection' as const },
    ];
    const r = await evaluateGuards(stubGuards({ w1: 'wmd', n1: 'wmd', p1: 'prompt_injection' }), lines);
    assert.equal(r.perCategory.wmd.recall, 0.5);
    assert.equal(r.perCategory.wmd.precision, 0.5);
    assert.equal(r.perCategory.prompt_injection.f1, 1);
    assert.equal(r.falsePositiveRateNone, 1 / 3);
    assert.equal(r.falsePositiveRateHard, 1 / 2);
    assert.deepEqual(r.confusion[3], [1, 0, 0, 1, 0]);
    assert.deepEqual(r.misclassified.map((m) => m.id).sort(), ['2', '3']);
    const text = formatReport({ ...r, errors: [] });
    assert.match(text, /wmd\s+0\.500\s+0\.500/);
    assert.match(text, /NOT met/);
  });
});

describe('percentile', () => {
  it('uses the nearest rank', () => {
    assert.equal(percentile([1, 2, 3, 4], 0.5), 2);
    assert.equal(percentile([1, 2, 3, 4], 0.99), 4);
    assert.equal(percentile([], 0.5), 0);
  });
});
