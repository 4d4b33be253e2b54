/** Every rule replays its own positive and negative examples; the engine's window and veto semantics. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tokenize } from './concepts.ts';
import { normaliseText } from './normalise.ts';
import { LEXICON, RULE_SET } from './rules.ts';
import { RuleSet } from './rules/engine.ts';

function firedRules(set: RuleSet, raw: string): string[] {
  const view = normaliseText(raw).views[0];
  assert.ok(view);
  return set.evaluate(view.text, tokenize(view.text)).map((h) => h.rule);
}

describe('shipped rules', () => {
  for (const rule of [...RULE_SET.rules, ...RULE_SET.patterns]) {
    describe(rule.id, () => {
      it('has at least two positive and two negative examples', () => {
        assert.ok(rule.examples.positive.length >= 2 && rule.examples.negative.length >= 2);
      });
      for (const text of rule.examples.positive) {
        it(`fires on: ${text}`, () => assert.ok(firedRules(RULE_SET, text).includes(rule.id)));
      }
      for (const text of rule.examples.negative) {
        it(`stays silent (all rules) on: ${text}`, () => assert.deepEqual(firedRules(RULE_SET, text), []));
      }
    });
  }

  it('every lexicon term is written in folded form', () => {
    for (const [concept, terms] of Object.entries(LEXICON)) {
      for (const term of terms) {
        const plain = term.replace(/\*/g, '').replace(/ +/g, ' ').trim();
        assert.equal(normaliseText(plain).views[0]?.text, plain, `${concept}: ${term}`);
      }
    }
  });
});

describe('RuleSet', () => {
  const lexicon = { ACT: ['track*'], WHO: ['citizens', 'us persons'], SAFE: ['history'] };
  const set = new RuleSet(lexicon, [{
    id: 't.rule', category: 'mass_surveillance', description: 'test', all: ['ACT', 'WHO'], unless: ['SAFE'],
    window: 4, vetoReach: 6, score: 0.9, examples: { positive: [], negative: [] },
  }], []);

  it('fires when every concept lies within the window', () => {
    assert.deepEqual(firedRules(set, 'please track all the citizens'), ['t.rule']);
    assert.deepEqual(firedRules(set, 'tracking u.s. persons'), []);
    assert.deepEqual(firedRules(set, 'tracking us persons'), ['t.rule']);
  });
  it('does not fire when the concepts are too far apart', () => {
    assert.deepEqual(firedRules(set, 'track the parcel and then later on, much later, write to citizens'), []);
  });
  it('is vetoed by an unless concept within reach, but not by one far away', () => {
    assert.deepEqual(firedRules(set, 'the history of how agencies track citizens'), []);
    assert.deepEqual(firedRules(set, 'history class was fun. one two three four five six seven. track the citizens'), ['t.rule']);
  });
  it('reports the span of the hit in the view text', () => {
    const view = 'we track the citizens now';
    const hit = set.evaluate(view, tokenize(view))[0];
    assert.deepEqual(hit?.span, [3, 21]);
  });
  it('rejects rules that name unknown concepts at construction', () => {
    assert.throws(() => new RuleSet(lexicon, [{ id: 'x', category: 'wmd', description: '', all: ['NOPE'], window: 3, score: 1, examples: { positive: [], negative: [] } }], []));
  });
});
