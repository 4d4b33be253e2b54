/** findMarkings: markings pasted into free text are found; ordinary parentheses are not. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findMarkings, formatBanner } from './index.ts';

function found(text: string): string[] {
  return findMarkings(text).map((f) => `${f.kind} ${f.valid ? '' : '!'}${text.slice(f.start, f.end)} = ${formatBanner(f.label)}`);
}

describe('findMarkings', () => {
  describe('when text carries markings', () => {
    it('finds a pasted portion mark with its span', () => {
      const text = 'Please summarise: (S//NF) the plan moves on Tuesday.';
      const [f] = findMarkings(text);
      assert.ok(f);
      assert.deepEqual([f.kind, f.start, f.end, f.text, f.valid], ['portion', 18, 25, '(S//NF)', true]);
      assert.equal(formatBanner(f.label), 'SECRET//NOFORN');
    });

    it('finds banner lines, decorated or not', () => {
      assert.deepEqual(found('TOP SECRET//SI\nbody\n*** SECRET//NOFORN ***\nSECRET'), [
        'banner TOP SECRET//SI = TOP SECRET//SI',
        'banner SECRET//NOFORN = SECRET//NOFORN',
        'banner SECRET = SECRET',
      ]);
    });

    it('finds a lower-case banner line only when it parses', () => {
      assert.deepEqual(found('top secret//si\nsecret//madeup'), ['banner top secret//si = TOP SECRET//SI']);
    });

    it('finds banner-form markings inside a sentence, trimming trailing capitals', () => {
      assert.deepEqual(found('the file was TOP SECRET//SI//NOFORN AND URGENT, he said'), ['banner TOP SECRET//SI//NOFORN = TOP SECRET//SI//NOFORN']);
      assert.deepEqual(found('marked S//REL TO USA, GBR.'), ['banner S//REL TO USA, GBR = SECRET//REL TO USA, GBR']);
    });

    it('finds foreign, joint, CUI and lower-case portion marks', () => {
      assert.deepEqual(found('x (//DEU S) y (//JOINT C CAN USA) z (CUI//SP-PRVCY) w (ts//si//nf)'), [
        'portion (//DEU S) = //DEU SECRET',
        'portion (//JOINT C CAN USA) = //JOINT CONFIDENTIAL CAN USA',
        'portion (CUI//SP-PRVCY) = CUI//SP-PRVCY',
        'portion (ts//si//nf) = TOP SECRET//SI//NOFORN',
      ]);
    });

    it('finds bare portion marks at the start of a line or sentence', () => {
      assert.deepEqual(found('(S) The plan.\n  1. (TS) Next. (C) Also.'), [
        'portion (S) = SECRET', 'portion (TS) = TOP SECRET', 'portion (C) = CONFIDENTIAL',
      ]);
    });

    it('reports an invalid marking conservatively: its level, NOFORN', () => {
      const [f] = findMarkings('see (TS//SI-G//NF) now');
      assert.ok(f && !f.valid);
      assert.equal(f.error?.code, 'SIG_REQUIRES_ORCON');
      assert.equal(formatBanner(f.label), 'TOP SECRET//NOFORN');
      assert.deepEqual(found('SECRET//MADEUP'), ['banner !SECRET//MADEUP = SECRET//NOFORN']);
    });

    it('fails closed on an invalid marking: the highest classification it names, not the first', () => {
      assert.deepEqual(found('//TOP SECRET'), ['banner !//TOP SECRET = TOP SECRET//NOFORN']);
      assert.deepEqual(found('see (//TOP SECRET) and (//TS) and (//TS//SI)'), [
        'portion !(//TOP SECRET) = TOP SECRET//NOFORN', 'portion !(//TS) = TOP SECRET//NOFORN', 'portion !(//TS//SI) = TOP SECRET//NOFORN',
      ]);
      assert.deepEqual(found('x (S//TS) y (C//REL TO USA, GBR//TS) z (U//S)'), [
        'portion !(S//TS) = TOP SECRET//NOFORN', 'portion !(C//REL TO USA, GBR//TS) = TOP SECRET//NOFORN', 'portion !(U//S) = SECRET//NOFORN',
      ]);
      assert.deepEqual(found('SECRET//TOP SECRET'), ['banner !SECRET//TOP SECRET = TOP SECRET//NOFORN']);
      // Valid foreign markings keep their own label.
      assert.deepEqual(found('(//GBR TS) (//DEU S)'), ['portion (//GBR TS) = //GBR TOP SECRET', 'portion (//DEU S) = //DEU SECRET']);
    });
  });

  describe('when text has ordinary parentheses', () => {
    const QUIET = [
      'as noted (see above), the U.S. position (U.S.) holds',
      'upload the file(s) and the image(s)',
      'Copyright\n(C) 2024 Acme Corp.',
      'pick option (C) or option (S) from the list',
      'TypeScript (TS) and f(x) = (a/b)',
      'http://example.com//path and a//b',
      'it was a secret // of sorts',
      'lower-case (s//not a marking)',
      'Secret Service agents',
    ];
    for (const text of QUIET) it(`finds nothing in ${JSON.stringify(text)}`, () => assert.deepEqual(found(text), []));
  });

  it('returns findings in text order without overlaps', () => {
    const text = '(S//NF) a\nTOP SECRET//SI\nb (C) c. (U) d\nS//NF';
    const all = findMarkings(text);
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1]!.end <= all[i]!.start);
    assert.deepEqual(all.map((f) => f.text), ['(S//NF)', 'TOP SECRET//SI', '(U)', 'S//NF']);
  });
});
