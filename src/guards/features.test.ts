/** Hashed features: stems meet across inflections, and windows stay contiguous slices. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tokenize } from './concepts.ts';
import { extractFeatures, stemWord } from './features.ts';

describe('features', () => {
  it('stems inflections of one word to one stem, and never below three characters', () => {
    for (const w of ['monitoring', 'monitored', 'monitors', 'monitor']) assert.equal(stemWord(w), 'monitor');
    assert.equal(stemWord('bus'), 'bus');
    assert.equal(stemWord('uses'), 'use');
  });
  it('shares stem features between inflected phrasings', () => {
    const bits = 18;
    const of = (s: string): Set<number> => new Set(extractFeatures(tokenize(s), bits).buckets);
    const a = of('tracking protesters');
    const b = of('tracked protester');
    assert.ok([...a].filter((x) => b.has(x)).length >= 3, 'stem unigrams and the stem bigram are shared');
  });
  it('gives every token a contiguous, ordered slice of features', () => {
    const fs = extractFeatures(tokenize('watch every citizen of the city all day'), 16);
    for (let t = 0; t + 1 < fs.tokenStart.length; t++) assert.ok((fs.tokenStart[t] ?? 0) <= (fs.tokenStart[t + 1] ?? 0));
    assert.equal(fs.tokenStart[fs.tokenStart.length - 1], fs.buckets.length);
  });
});
