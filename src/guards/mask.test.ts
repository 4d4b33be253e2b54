/** U.S.-person masking: stable placeholders, identifiers in any format, and any chunking of a stream. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createMasker, maskText, type MaskerOptions } from './mask.ts';

const OPTIONS: MaskerOptions = {
  usPersons: [
    'John Q. Smith',
    { id: 'usp-garcia', name: 'María García', aliases: ['Maria Garcia-Lopez'], emails: ['mgarcia@example.com'], phones: ['(555) 123-4567'], ssns: ['123-45-6789'] },
  ],
  identifiers: { names: ['Bob Lee'], emails: ['ops.lead@example.org'], phones: ['202-555-0188'], ssns: ['987654321'] },
};

/** True when `name` occurs in `text` as a whole word (case-insensitive), as a reader would see it. */
function containsWord(text: string, name: string): boolean {
  const hay = text.toLowerCase();
  const needle = name.toLowerCase();
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + 1)) {
    if (!/[\p{L}\p{N}_]/u.test(hay[i - 1] ?? ' ') && !/[\p{L}\p{N}_]/u.test(hay[i + needle.length] ?? ' ')) return true;
  }
  return false;
}

/** Masks a text pushed in the given pieces. */
function streamed(pieces: string[], options = OPTIONS): string {
  const m = createMasker(options);
  return pieces.map((p) => m.push(p)).join('') + m.end();
}

describe('maskText', () => {
  it('replaces names with placeholders numbered by first appearance, stable within the answer', () => {
    const { text, identities } = maskText('Maria Garcia called John Q. Smith; later JOHN Q.  SMITH called María García back.', OPTIONS);
    assert.equal(text, 'U.S. PERSON 1 called U.S. PERSON 2; later U.S. PERSON 2 called U.S. PERSON 1 back.');
    assert.deepEqual(identities, [{ placeholder: 'U.S. PERSON 1', identityId: 'usp-garcia' }, { placeholder: 'U.S. PERSON 2', identityId: 'usp-1' }]);
  });
  it('masks the "Last, First" form and aliases as the same identity', () => {
    assert.equal(maskText('Smith, John Q. and Maria Garcia-Lopez', OPTIONS).text, 'U.S. PERSON 1 and U.S. PERSON 2');
  });
  it('masks e-mail addresses, phones and SSNs in any common format', () => {
    const text = 'Write to mgarcia@example.com or call +1 (555) 123-4567 / 555.123.4567; SSN 123 45 6789. Ops: ops.lead@example.org, 2025550188, 987-65-4321.';
    assert.equal(maskText(text, OPTIONS).text, 'Write to U.S. PERSON 1 or call U.S. PERSON 1 / U.S. PERSON 1; SSN U.S. PERSON 1. Ops: U.S. PERSON 2, U.S. PERSON 3, U.S. PERSON 4.');
  });
  it('does not mask a name inside a longer word or a longer number', () => {
    assert.equal(maskText('Bob Leeds and 1987654321 stay.', OPTIONS).text, 'Bob Leeds and 1987654321 stay.');
  });
  it('leaves an identity unmasked when its unmasking was approved for this caller', () => {
    const { text, identities } = maskText('John Q. Smith met María García.', { ...OPTIONS, unmasked: ['usp-garcia'] });
    assert.equal(text, 'U.S. PERSON 1 met María García.');
    assert.deepEqual(identities, [{ placeholder: 'U.S. PERSON 1', identityId: 'usp-1' }]);
  });
});

describe('createMasker', () => {
  it('masks a name split across chunks and holds back only a possible prefix', () => {
    const m = createMasker(OPTIONS);
    assert.equal(m.push('Report: Jo'), 'Report: ');
    assert.equal(m.push('hn Q. Sm'), '');
    assert.equal(m.push('ith left. Then B'), 'U.S. PERSON 1 left. Then ');
    assert.equal(m.push('ob Lee'), '');
    assert.equal(m.push('ds arrived.'), 'Bob Leeds arrived.');
    assert.equal(m.end(), '');
  });
  it('flushes a name that ends the stream', () => {
    const m = createMasker(OPTIONS);
    assert.equal(m.push('Signed, Bob Lee'), 'Signed, ');
    assert.equal(m.end(), 'U.S. PERSON 1');
  });

  const listed = ['John Q. Smith', 'María García', 'Maria Garcia', 'Bob Lee', 'mgarcia@example.com', '555-123-4567', '123-45-6789', 'ops.lead@example.org'];
  const piece = fc.oneof(
    fc.constantFrom(...listed, ' ', '. ', ', ', '\n', 'the ', 'report ', 'called ', 'and '),
    fc.string({ maxLength: 6 }),
  );
  const textArb = fc.array(piece, { maxLength: 30 }).map((p) => p.join(''));
  /** Cut points turn a text into chunks. */
  const chunked = textArb.chain((t) => fc.tuple(fc.constant(t), fc.uniqueArray(fc.integer({ min: 0, max: t.length }), { maxLength: 12 })));

  it('gives the same output for every chunking of a text, with no listed name left (property)', () => {
    fc.assert(fc.property(chunked, ([text, cuts]) => {
      const points = [0, ...cuts.sort((a, b) => a - b), text.length];
      const pieces = points.slice(1).map((p, i) => text.slice(points[i], p));
      const whole = maskText(text, OPTIONS).text;
      assert.equal(streamed(pieces), whole);
      for (const name of ['John Q. Smith', 'María García', 'Maria Garcia', 'mgarcia@example.com', '123-45-6789']) {
        assert.ok(!containsWord(whole, name), `${name} left in ${JSON.stringify(whole)}`);
      }
    }), { numRuns: 400 });
  });
});
