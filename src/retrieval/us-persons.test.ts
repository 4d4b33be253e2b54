/** U.S.-person tags: extracted, replaced by the bare name; malformed tags reject rather than leak. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { extractUsPersonTags, namesIn } from './us-persons.ts';

describe('extractUsPersonTags', () => {
  it('replaces tags with names and lists each name once', () => {
    const r = extractUsPersonTags('Met [[USPER:John  Q. Smith]] and [[USPER:Ann Lee]]; [[USPER:John Q. Smith]] left.');
    assert.deepEqual(r, { ok: true, text: 'Met John Q. Smith and Ann Lee; John Q. Smith left.', names: ['John Q. Smith', 'Ann Lee'] });
  });
  it('leaves text without tags alone', () => {
    assert.deepEqual(extractUsPersonTags('No names [here].'), { ok: true, text: 'No names [here].', names: [] });
  });
  for (const [what, text] of [
    ['an unclosed tag', 'Met [[USPER:John Smith and left.'],
    ['a lower-case tag', 'Met [[usper:John Smith]].'],
    ['an empty name', 'Met [[USPER:   ]].'],
    ['a tag broken over lines', 'Met [[USPER:John\nSmith]].'],
    ['a spaced tag', 'Met [[ USPER:John Smith]].'],
  ] as const) {
    it(`rejects ${what} with its offset`, () => {
      const r = extractUsPersonTags(text);
      assert.equal(r.ok, false);
      assert.equal(r.ok ? -1 : r.offset, text.indexOf('[['));
    });
  }
});

describe('namesIn', () => {
  it('finds listed names case-insensitively', () => {
    assert.deepEqual(namesIn('Commander MARIA DELGADO holds it.', ['Maria Delgado', 'Bob Ray']), ['Maria Delgado']);
  });
});
