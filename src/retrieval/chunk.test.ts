/** Sentence splitting and chunking: bounded chunks, whole sentences, names never cut. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_CHUNK_CHARS, chunkText, splitSentences } from './chunk.ts';

describe('splitSentences', () => {
  it('splits at sentence ends and keeps initials, titles and abbreviations whole', () => {
    assert.deepEqual(splitSentences('The depot is open. Fuel is low! Is the road clear? Yes.'),
      ['The depot is open.', 'Fuel is low!', 'Is the road clear?', 'Yes.']);
    assert.deepEqual(splitSentences('John Q. Smith met Dr. Jones. U.S. forces left, e.g. Bravo. Done.'),
      ['John Q. Smith met Dr. Jones.', 'U.S. forces left, e.g. Bravo.', 'Done.']);
  });
  it('does not split before a lower-case word or inside a protected name', () => {
    assert.deepEqual(splitSentences('Version 2. the next item.'), ['Version 2. the next item.']);
    assert.deepEqual(splitSentences('He met Ana Bee. Cole today. Then left.', ['Ana Bee. Cole']), ['He met Ana Bee. Cole today.', 'Then left.']);
  });
});

describe('chunkText', () => {
  it('returns short text as one chunk with whitespace collapsed', () => {
    assert.deepEqual(chunkText('  The depot\n  is open.  '), ['The depot is open.']);
    assert.deepEqual(chunkText('   '), []);
  });
  it('packs whole sentences up to the bound', () => {
    assert.deepEqual(chunkText('One two. Three four. Five six.', 20), ['One two. Three four.', 'Five six.']);
  });
  it('cuts an over-long sentence at spaces, never inside a protected name', () => {
    const text = `${'word '.repeat(8)}John Q. Smith ${'word '.repeat(8)}`;
    const chunks = chunkText(text, 50, ['John Q. Smith']);
    assert.ok(chunks.every((c) => c.length <= 50));
    assert.ok(chunks.some((c) => c.includes('John Q. Smith')));
  });
  it('property: chunks are bounded, non-empty, and keep every word in order', () => {
    const word = fc.stringMatching(/^[A-Za-z]{1,12}[.!?]?$/);
    fc.assert(fc.property(fc.array(word, { minLength: 1, maxLength: 300 }), fc.integer({ min: 20, max: 400 }), (words, max) => {
      const text = words.join(' ');
      const chunks = chunkText(text, max);
      assert.ok(chunks.every((c) => c.length > 0 && c.length <= max));
      assert.equal(chunks.join(' ').split(' ').join(''), words.join(''));
    }), { numRuns: 200 });
  });
  it('bounds chunks by MAX_CHUNK_CHARS by default', () => {
    const chunks = chunkText('The depot is open. '.repeat(200));
    assert.ok(chunks.length > 1 && chunks.every((c) => c.length <= MAX_CHUNK_CHARS));
  });
});
