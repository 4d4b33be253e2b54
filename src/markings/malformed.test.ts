/** Adversarial inputs: the parser rejects them with a MarkingError, never anything else. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  findMarkings, formatBanner, labelsEqual, MARKING_MAX_LENGTH, MarkingError, parseMarking, tryParseMarking,
  type MarkingErrorCode,
} from './index.ts';
import { arbitraryLabel } from './label-arbitrary.ts';

function rejects(input: unknown, code?: MarkingErrorCode): void {
  assert.throws(() => parseMarking(input as string), (err: unknown) => {
    assert.ok(err instanceof MarkingError, `threw ${String(err)}`);
    if (code) assert.equal(err.code, code, err.message);
    return true;
  });
}

describe('parseMarking on hostile input', () => {
  describe('when the input is not a string', () => {
    for (const value of [undefined, null, 42, {}, [], ['S'], Symbol('S'), () => 'S', { toString: () => 'SECRET' }]) {
      it(`rejects ${typeof value} ${String(Array.isArray(value) ? 'array' : typeof value === 'symbol' ? 'symbol' : value)}`, () => rejects(value, 'INVALID_INPUT'));
    }
  });

  describe('when the input is too long', () => {
    it('rejects one character over the bound', () => rejects(`SECRET//${'A'.repeat(MARKING_MAX_LENGTH)}`, 'TOO_LONG'));
    it('rejects a megabyte without scanning it', () => rejects('S//'.repeat(400_000), 'TOO_LONG'));
    it('accepts padding up to the bound', () => {
      assert.equal(parseMarking(`${' '.repeat(MARKING_MAX_LENGTH - 6)}(S)`.slice(0, MARKING_MAX_LENGTH)).level, 2);
    });
  });

  describe('when the input hides characters', () => {
    const CASES: Array<[string, string]> = [
      ['a NUL byte', '(S//NF)\u0000'],
      ['Cyrillic Es for S', '(\u0421//NF)'],
      ['a Latin long s', '(\u017f//NF)'],
      ['a dotless i that upper-cases to I', '(TS//S\u0131)'],
      ['fullwidth letters', '(\uff34\uff33)'],
      ['a zero-width space', 'SE\u200bCRET'],
      ['a right-to-left override', '\u202e(S//NF)'],
      ['a fraction slash', 'S\u2044\u2044NF'],
      ['an emoji', 'SECRET//\u{1F512}'],
      ['a lone surrogate', 'SECRET//\ud800'],
      ['a semicolon', 'S;NF'],
      ['a quote', 'S//"NF"'],
    ];
    for (const [what, input] of CASES) it(`rejects ${what}`, () => rejects(input, 'INVALID_CHARACTER'));
  });

  describe('when the structure is broken', () => {
    const CASES: Array<[string, MarkingErrorCode]> = [
      ['((S))', 'UNBALANCED_PARENTHESES'], ['(S))', 'UNBALANCED_PARENTHESES'], ['S)', 'UNBALANCED_PARENTHESES'],
      ['(S)(C)', 'UNBALANCED_PARENTHESES'], ['(', 'UNBALANCED_PARENTHESES'], ['   ', 'EMPTY_MARKING'],
      ['//', 'EMPTY_CATEGORY'], ['///', 'BAD_SEPARATOR'], ['//DEU', 'MISSING_CLASSIFICATION'],
      ['//USA S', 'COUNTRY_LIST'], ['//JOINT', 'MISSING_CLASSIFICATION'], ['//JOINT TS', 'COUNTRY_LIST'],
      ['S//REL TO USA, ', 'UNKNOWN_COUNTRY'], ['S//REL TO USA,, GBR', 'UNKNOWN_COUNTRY'], ['S//REL TO', 'REL_TO_USA_FIRST'],
      ['S//REL TO USA, USA', 'DUPLICATE_TOKEN'], ['S//REL TO USA, GBR, GBR', 'DUPLICATE_TOKEN'],
      ['S//REL TO USA, __PROTO__', 'INVALID_CHARACTER'], ['S//PROTO', 'UNKNOWN_TOKEN'], ['S//REL TO USA, CONSTRUCTOR', 'UNKNOWN_COUNTRY'], ['S//CONSTRUCTOR', 'UNKNOWN_TOKEN'],
      ['S//TOSTRING', 'UNKNOWN_TOKEN'], ['SECRET SECRET', 'MISSING_CLASSIFICATION'], ['TOP  SECRET//', 'EMPTY_CATEGORY'],
      ['S//NF/', 'BAD_SEPARATOR'], ['S///', 'BAD_SEPARATOR'], ['S//NF//', 'EMPTY_CATEGORY'],
      [`TS//SI-${'A-'.repeat(1000)}B`, 'DUPLICATE_TOKEN'], [`TS//SI-${Array.from({ length: 600 }, (_, i) => `C${999 - i}`).join('-')}`, 'TOKEN_ORDER'], [`TS//SI-${'X'.repeat(21)}`, 'INVALID_SCI'],
      [`S//SAR-${'A'.repeat(30)}`, 'INVALID_SAP'], ['S//SAR-A--B', 'INVALID_SAP'],
      [`S//${Array.from({ length: 400 }, () => 'NF').join('/')}`, 'DUPLICATE_TOKEN'],
      [`S//REL TO USA, ${Array.from({ length: 300 }, () => 'GBR').join(', ')}`, 'DUPLICATE_TOKEN'],
      ['S//FGI DEU//FGI GBR', 'DUPLICATE_CATEGORY'], ['S//FGI DEU/FGI GBR', 'DUPLICATE_TOKEN'],
    ];
    for (const [input, code] of CASES) it(`rejects ${JSON.stringify(input.slice(0, 40))} with ${code}`, () => rejects(input, code));
  });

  it('throws only MarkingError on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => {
      const r = tryParseMarking(s);
      if (!r.ok) assert.ok(r.error instanceof MarkingError);
      else assert.ok(labelsEqual(parseMarking(formatBanner(r.label)), r.label));
    }), { numRuns: 500 });
  });

  it('throws only MarkingError on marking-shaped noise', () => {
    const piece = fc.constantFrom('S', 'TS', 'U', 'C', '//', '/', ' ', ',', '(', ')', 'NF', 'REL TO', 'USA', 'GBR', 'FVEY', 'SI', '-G', 'ABC', 'OC', 'FGI', 'DEU', 'JOINT', 'SAR-', 'RD', 'CUI', 'SP-', 'DISPLAY ONLY');
    fc.assert(fc.property(fc.array(piece, { maxLength: 20 }), (pieces) => {
      const r = tryParseMarking(pieces.join(''));
      if (!r.ok) assert.ok(r.error instanceof MarkingError);
      else assert.ok(labelsEqual(parseMarking(formatBanner(r.label)), r.label));
    }), { numRuns: 1000 });
  });

  it('either rejects a mutated valid marking or parses it to a label that round-trips', () => {
    const mutation = fc.record({ at: fc.nat(), kind: fc.constantFrom('delete', 'insert', 'replace'), char: fc.constantFrom('/', ' ', ',', '-', 'A', 'S', '(', ')') });
    fc.assert(fc.property(arbitraryLabel, fc.array(mutation, { minLength: 1, maxLength: 3 }), (label, edits) => {
      let text = formatBanner(label);
      for (const e of edits) {
        const at = e.at % (text.length + 1);
        text = e.kind === 'delete' ? text.slice(0, at) + text.slice(at + 1)
          : e.kind === 'insert' ? text.slice(0, at) + e.char + text.slice(at)
          : text.slice(0, at) + e.char + text.slice(at + 1);
      }
      const r = tryParseMarking(text);
      if (!r.ok) assert.ok(r.error instanceof MarkingError);
      else assert.ok(labelsEqual(parseMarking(formatBanner(r.label)), r.label));
    }), { numRuns: 500 });
  });

  it('keeps hostile text out of error messages beyond a bounded, printable quote', () => {
    const r = tryParseMarking(`S//${'\u0007X'.repeat(100)}`);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error.message, /^[\x20-\x7e]{1,200}$/);
    const long = tryParseMarking(`S//${'Q'.repeat(2000)}`);
    assert.ok(!long.ok && long.error.message.length < 200);
  });
});

describe('findMarkings on hostile input', () => {
  it('returns nothing for a non-string', () => assert.deepEqual(findMarkings(null as unknown as string), []));

  it('stays within its limit on a text full of markings', () => {
    const found = findMarkings('(S//NF) '.repeat(50_000));
    assert.equal(found.length, 1000);
    assert.equal(findMarkings('(TS) x.\n'.repeat(100), { limit: 7 }).length, 7);
  });

  it('handles long runs of parentheses, slashes and upper-case prose', () => {
    const texts = ['('.repeat(200_000), `(${'A'.repeat(200_000)}`, '//'.repeat(100_000), `S//${'A '.repeat(100_000)}`, `${'(X//Y) '.repeat(20_000)}`, `${'A//B\n'.repeat(40_000)}`];
    for (const t of texts) {
      for (const f of findMarkings(t)) assert.ok(f.end <= t.length && f.start >= 0);
    }
  });
});
