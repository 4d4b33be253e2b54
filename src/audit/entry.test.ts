/** Audit entries: validation, and the spliced serialisation equals RFC 8785 canonical JSON. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AUDIT_ENTRY_MAX_BYTES, canonicalJson, finishEntry, isCanonicalEntry, parseEntry, prepareEntry } from './entry.ts';

const base = { kind: 'request', actor: 'alice', time: '2025-01-01T00:00:00.000Z' } as const;
const prev = new Uint8Array(32).fill(9);

describe('audit entries', () => {
  it('serialises to exactly the JCS form of the whole entry', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            action: fc.string({ minLength: 1, maxLength: 20 }),
            decision: fc.constantFrom('allow', 'deny', 'hold'),
            labels: fc.array(fc.constantFrom('SECRET', 'TOP SECRET//SI//NOFORN', 'UNCLASSIFIED'), { maxLength: 3 }),
            reason: fc.string({ maxLength: 40 }),
            details: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== '__proto__'), fc.jsonValue({ maxDepth: 2 }).filter((v) => !JSON.stringify(v).includes('"__proto__"')), { maxKeys: 4 }),
          },
          { requiredKeys: [] },
        ),
        fc.nat(1e9),
        fc.boolean(),
        (extra, seq, chained) => {
          const record = JSON.parse(JSON.stringify({ ...base, ...extra })) as Record<string, unknown>;
          const text = finishEntry(prepareEntry(record), seq, chained ? prev : null);
          const expected = { ...record, v: 1, seq, ...(chained ? { prev: Buffer.from(prev).toString('base64') } : {}) };
          assert.equal(text, canonicalJson(expected));
          assert.ok(isCanonicalEntry(text));
          assert.equal(parseEntry(text).seq, seq);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('defaults the time to the moment of preparing', () => {
    const now = new Date('2025-02-03T04:05:06.007Z');
    assert.equal(prepareEntry({ kind: 'startup', actor: 'system:gateway' }, now).record.time, now.toISOString());
  });

  describe('when a record is invalid', () => {
    const bad: Record<string, unknown> = {
      'an unknown kind': { ...base, kind: 'gossip' },
      'no actor': { kind: 'request' },
      'an unknown field': { ...base, prompt: 'the text itself' },
      'a malformed digest': { ...base, digests: { prompt: 'md5:abc' } },
      'a time with an offset': { ...base, time: '2025-01-01T00:00:00+01:00' },
      'a non-JSON detail': { ...base, details: { x: Number.NaN } },
      'an upper-case decision': { ...base, decision: 'ALLOW' },
    };
    for (const [name, record] of Object.entries(bad)) {
      it(`rejects ${name}`, () => assert.throws(() => prepareEntry(record), { name: 'AuditError', code: 'INVALID_RECORD' }));
    }
    it('rejects a __proto__ member, which parsers would silently drop', () => {
      assert.throws(() => prepareEntry(JSON.parse('{"kind":"request","actor":"a","details":{"x":{"__proto__":{"y":1}}}}')), { code: 'INVALID_RECORD' });
    });
    it('rejects nesting deeper than 32', () => {
      let deep: unknown = 1;
      for (let i = 0; i < 40; i++) deep = [deep];
      assert.throws(() => prepareEntry({ ...base, details: { deep } }), { code: 'INVALID_RECORD' });
    });
    it('rejects an entry over the size limit', () => {
      const huge = { ...base, details: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'x'.repeat(2000)])) };
      assert.ok(JSON.stringify(huge).length > AUDIT_ENTRY_MAX_BYTES);
      assert.throws(() => prepareEntry(huge), { code: 'ENTRY_TOO_LARGE' });
    });
  });

  it('tells canonical text from re-ordered or re-spaced text', () => {
    const text = finishEntry(prepareEntry(base), 0, null);
    assert.ok(isCanonicalEntry(text));
    assert.equal(isCanonicalEntry(text.replace(',', ', ')), false);
    assert.equal(isCanonicalEntry(JSON.stringify({ v: 1, ...JSON.parse(text) })), false);
  });
});
