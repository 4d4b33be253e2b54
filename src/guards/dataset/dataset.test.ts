/** The shipped data set: its shape, its mix, and that training and held-out never share wording. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseLabelledLines } from '../eval.ts';
import { generateDataset } from './generate.ts';

const read = (name: string): Array<Record<string, unknown> & { text: string; label: string; family: string; lang: string; hard_negative: boolean }> =>
  readFileSync(new URL(`./${name}`, import.meta.url), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as never);

describe('dataset', () => {
  const train = read('train.jsonl');
  const heldout = read('heldout.jsonl');

  it('is what the generator produces from the sources (regenerate after editing them)', () => {
    const fresh = generateDataset();
    assert.deepEqual(fresh.train.map((l) => l.text), train.map((l) => l.text));
    assert.deepEqual(fresh.heldout.map((l) => l.text), heldout.map((l) => l.text));
  });
  it('has thousands of valid lines with every field', () => {
    assert.ok(train.length + heldout.length >= 4000);
    for (const file of ['train.jsonl', 'heldout.jsonl']) {
      const { errors } = parseLabelledLines(readFileSync(new URL(`./${file}`, import.meta.url), 'utf8'));
      assert.deepEqual(errors, [], file);
    }
    for (const l of [...train, ...heldout]) assert.deepEqual(Object.keys(l).filter((k) => k !== 'source').sort(), ['family', 'hard_negative', 'id', 'label', 'lang', 'text']);
  });
  it('is at least a quarter hard negatives, with Spanish, French and German', () => {
    const all = [...train, ...heldout];
    assert.ok(all.filter((l) => l.hard_negative).length / all.length >= 0.25);
    for (const lang of ['es', 'fr', 'de']) assert.ok(all.filter((l) => l.lang === lang).length >= 100, lang);
    for (const label of ['none', 'mass_surveillance', 'use_of_force', 'wmd', 'prompt_injection']) assert.ok(heldout.some((l) => l.label === label), label);
  });
  it('shares no text and no family between training and held-out', () => {
    const trainTexts = new Set(train.map((l) => l.text));
    assert.ok(heldout.every((l) => !trainTexts.has(l.text)));
    const base = (f: string): string => f.replace(/\+.*$/, '');
    const trainFamilies = new Set(train.map((l) => base(l.family)));
    assert.ok(heldout.every((l) => !trainFamilies.has(base(l.family))));
  });
});
