/**
 * Property: over random corpora of labelled portions and random readers, retrieval never returns a
 * portion the reader's clearance does not dominate (independent NOT-REL computation), and returns
 * every matching portion it does dominate (corpora stay under the result limit).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseMarking, tryParseMarking, type Label } from '../markings/index.ts';
import { openSqliteStore } from '../store/index.ts';
import { createRetriever, createSqliteCorpusStore, labelColumns, type RetrievalPrincipal } from './index.ts';
import { independentlyVisible } from './test-support.ts';

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'kilo'];
const LEVELS = ['U', 'C', 'S', 'TS'];
const PARTNERS = ['AUS', 'CAN', 'GBR', 'NZL'];

/** Marking text from parts; combinations the grammar refuses are filtered out below. */
const markingArb = fc.record({
  level: fc.integer({ min: 0, max: 3 }),
  sci: fc.subarray(['SI', 'TK']),
  sap: fc.subarray(['BP']),
  release: fc.oneof(fc.constant('none'), fc.constant('NF'), fc.subarray(PARTNERS, { minLength: 1 })),
  orcon: fc.boolean(),
}).map(({ level, sci, sap, release, orcon }) => {
  const parts = [LEVELS[level]!];
  if (sci.length) parts.push(sci.join('/'));
  if (sap.length) parts.push(sap.map((s) => `SAR-${s}`).join('/'));
  const dissem = [...(orcon ? ['OC'] : []), ...(release === 'NF' ? ['NF'] : Array.isArray(release) ? [`REL TO USA, ${release.join(', ')}`] : [])];
  if (dissem.length) parts.push(dissem.join('/'));
  return `(${parts.join('//')})`;
}).map((m) => tryParseMarking(m)).filter((r) => r.ok).map((r) => (r as { ok: true; label: Label }).label);

const clearanceArb = fc.record({
  level: fc.integer({ min: 0, max: 3 }),
  sci: fc.subarray(['SI', 'TK']),
  sap: fc.subarray(['BP']),
  nationality: fc.constantFrom('USA', 'USA', 'GBR', 'AUS', 'FRA'),
}).map(({ level, sci, sap, nationality }): RetrievalPrincipal => {
  const parts = [['UNCLASSIFIED', 'CONFIDENTIAL', 'SECRET', 'TOP SECRET'][level]!];
  if (level > 0 && sci.length) parts.push(sci.join('/'));
  if (level > 0 && sap.length) parts.push(sap.map((s) => `SAR-${s}`).join('/'));
  return { clearance: parseMarking(parts.join('//')), nationality };
});

const portionArb = fc.record({ label: markingArb, words: fc.subarray(WORDS, { minLength: 1 }) });

describe('retrieval properties', () => {
  it('returns exactly the matching portions the clearance dominates', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(portionArb, { minLength: 1, maxLength: 25 }), clearanceArb, fc.subarray(WORDS, { minLength: 1, maxLength: 2 }),
      async (portions, reader, query) => {
        const store = openSqliteStore(':memory:');
        try {
          const corpus = createSqliteCorpusStore(store.db);
          await corpus.replaceDocuments(portions.map((p, i) => ({
            id: `p${i}`, title: `P${i}`, source: 'generated', banner: 'n/a', digest: '0', portions: 1,
            chunks: [{ portion: 1, chunk: 1, text: `${p.words.join(' ')}.`, label: labelColumns(p.label), usPersons: [] }],
          })));
          const got = await createRetriever(corpus, { topK: 50 }).retrieve(reader, [{ role: 'user', content: query.join(' ') }], new AbortController().signal);
          const expected = portions.flatMap((p, i) => (p.words.some((w) => query.includes(w)) && independentlyVisible(reader.clearance, reader.nationality, p.label) ? [`p${i}`] : []));
          for (const p of got) assert.ok(independentlyVisible(reader.clearance, reader.nationality, p.label), `returned ${p.portionMark}`);
          assert.deepEqual(got.map((p) => p.documentId).sort(), expected.sort());
        } finally {
          await store.close();
        }
      }), { numRuns: 150 });
  });
});
