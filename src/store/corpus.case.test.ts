/** The corpus store contract: one suite, run against SQLite and against a real PostgreSQL. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openStore, StoreError, type Store } from './index.ts';
import type { CorpusAccess, CorpusChunkInput, CorpusDocumentInput, CorpusLabelColumns, CorpusStore } from './corpus-types.ts';
import { STORE_TARGETS } from '../../test/support/stores.ts';

// Label columns written by hand: the store knows nothing of markings.
const U: CorpusLabelColumns = { marking: 'UNCLASSIFIED', level: 0, tokens: [], releaseOpen: true, releaseTo: [] };
const S_REL_GBR: CorpusLabelColumns = { marking: 'SECRET//REL TO USA, GBR', level: 2, tokens: [], releaseOpen: false, releaseTo: ['GBR'] };
const S_NF: CorpusLabelColumns = { marking: 'SECRET//NOFORN', level: 2, tokens: [], releaseOpen: false, releaseTo: [] };
const TS_SI_NF: CorpusLabelColumns = { marking: 'TOP SECRET//SI//NOFORN', level: 3, tokens: ['SCI:SI'], releaseOpen: false, releaseTo: [] };

const ALICE: CorpusAccess = { level: 3, tokens: ['SCI:SI', 'SCI:TK'], country: null };
const SAM: CorpusAccess = { level: 2, tokens: [], country: null };
const GWEN: CorpusAccess = { level: 2, tokens: [], country: 'GBR' };
const UMA: CorpusAccess = { level: 0, tokens: [], country: null };
const NOBODY: CorpusAccess = { level: -1, tokens: [], country: null };

function chunk(portion: number, text: string, label: CorpusLabelColumns, usPersons: string[] = []): CorpusChunkInput {
  return { portion, chunk: 1, text, label, usPersons };
}

function doc(id: string, chunks: CorpusChunkInput[], title = `Title of ${id}`): CorpusDocumentInput {
  return { id, title, source: `/corpus/${id}.md`, banner: 'TOP SECRET//SI//NOFORN', digest: 'ab'.repeat(32), portions: chunks.length, chunks };
}

const depot = doc('depot', [
  chunk(1, 'The northern depot reopened on Monday after repairs.', U),
  chunk(2, 'Depot stocks of fuel are low; liaison with allied logistics continues. CANARY-REL', S_REL_GBR, ['John Q. Smith']),
  chunk(3, 'Depot security was reviewed by the national team. CANARY-NF', S_NF),
  chunk(4, 'Intercepts suggest the depot convoy was observed. CANARY-TS', TS_SI_NF),
]);

const implementations = STORE_TARGETS;

for (const impl of implementations) {
  describe(`corpus store contract: ${impl.name}`, () => {
    let store: Store;
    let corpus: CorpusStore;
    let target: { url: string; cleanup(): Promise<void> } | undefined;
    const canaries = async (access: CorpusAccess) =>
      (await corpus.search({ terms: ['depot'], access, limit: 10 })).hits.map((h) => /CANARY-\w+/.exec(h.text)?.[0] ?? '-').sort();

    before(async () => {
      target = await impl.open();
      if (!target) return;
      store = await openStore(target.url);
      corpus = store.corpus;
    });
    after(async () => {
      await store?.close();
      await target?.cleanup();
    });

    it('stores a document, lists it and reads its chunks in order', async (t) => {
      if (!target) return t.skip('PostgreSQL is not installed');
      await corpus.replaceDocuments([depot]);
      const d = await corpus.getDocument('depot');
      assert.equal(d?.chunks, 4);
      assert.equal(d?.portions, 4);
      assert.equal(d?.title, 'Title of depot');
      assert.match(d?.ingestedAt ?? '', /^\d{4}-\d\d-\d\dT/);
      assert.deepEqual((await corpus.listDocuments()).map((x) => x.id), ['depot']);
      const chunks = await corpus.listChunks('depot');
      assert.deepEqual(chunks.map((c) => [c.portion, c.marking]), [[1, U.marking], [2, S_REL_GBR.marking], [3, S_NF.marking], [4, TS_SI_NF.marking]]);
      assert.deepEqual(chunks[1]!.usPersons, ['John Q. Smith']);
      assert.equal(await corpus.getDocument('nothing'), undefined);
      assert.deepEqual(await corpus.stats(), { documents: 1, chunks: 4, labels: 4 });
      assert.deepEqual(await corpus.listLabels(), [U.marking, S_REL_GBR.marking, S_NF.marking, TS_SI_NF.marking].sort());
    });

    it('filters by level, categories and releasability inside the search', async (t) => {
      if (!target) return t.skip('PostgreSQL is not installed');
      assert.deepEqual(await canaries(ALICE), ['-', 'CANARY-NF', 'CANARY-REL', 'CANARY-TS']);
      assert.deepEqual(await canaries(SAM), ['-', 'CANARY-NF', 'CANARY-REL']);
      assert.deepEqual(await canaries(GWEN), ['-', 'CANARY-REL']);
      assert.deepEqual(await canaries(UMA), ['-']);
      assert.deepEqual(await canaries(NOBODY), []);
      // Level alone is not enough: TOP SECRET without SI does not read an SI portion.
      assert.deepEqual(await canaries({ level: 3, tokens: ['SCI:TK'], country: null }), ['-', 'CANARY-NF', 'CANARY-REL']);
      // An Australian SECRET reader sees neither the GBR release nor the NOFORN portion.
      assert.deepEqual(await canaries({ level: 2, tokens: [], country: 'AUS' }), ['-']);
    });

    it('returns hits best first with their label, title and U.S. persons', async (t) => {
      if (!target) return t.skip('PostgreSQL is not installed');
      const { hits } = await corpus.search({ terms: ['fuel', 'liaison'], access: SAM, limit: 5 });
      assert.equal(hits.length, 1);
      assert.equal(hits[0]!.documentId, 'depot');
      assert.equal(hits[0]!.marking, S_REL_GBR.marking);
      assert.equal(hits[0]!.title, 'Title of depot');
      assert.deepEqual(hits[0]!.usPersons, ['John Q. Smith']);
      const ranked = await corpus.search({ terms: ['depot', 'convoy'], access: ALICE, limit: 2 });
      assert.equal(ranked.hits.length, 2);
      assert.match(ranked.hits[0]!.text, /convoy/, 'the chunk matching both terms ranks first');
      assert.ok(ranked.hits[0]!.score <= ranked.hits[1]!.score);
    });

    it('takes query syntax in terms literally and never throws on it', async (t) => {
      if (!target) return t.skip('PostgreSQL is not installed');
      const hostile = ['"', 'depot"', 'NEAR(depot convoy, 2)', 'text:depot', 'depot)', '(depot', '*', 'AND', 'OR NOT', '^depot',
        "'; DROP TABLE corpus_chunks; --", '\u0000', 'de\u0301pot', '{text}: depot', '-depot', 'depot*', ''];
      for (const term of hostile) {
        await corpus.search({ terms: [term], access: ALICE, limit: 3 });
        await corpus.countMatches({ terms: [term], cap: 10 });
      }
      const { hits } = await corpus.search({ terms: hostile, access: UMA, limit: 10 });
      assert.ok(hits.every((h) => h.marking === U.marking));
      assert.equal((await corpus.stats()).chunks, 4);
    });

    it('counts matches, visible or all, up to a cap', async (t) => {
      if (!target) return t.skip('PostgreSQL is not installed');
      assert.equal(await corpus.countMatches({ terms: ['depot'], cap: 100 }), 4);
      assert.equal(await corpus.countMatches({ terms: ['depot'], cap: 2 }), 2);
      assert.equal(await corpus.countMatches({ terms: ['depot'], access: GWEN, cap: 100 }), 2);
      assert.equal(await corpus.countMatches({ terms: ['depot'], access: NOBODY, cap: 100 }), 0);
      assert.equal(await corpus.countMatches({ terms: [], cap: 100 }), 0);
    });

    it('replaces a document with the same id atomically', async (t) => {
      if (!target) return t.skip('PostgreSQL is not installed');
      await corpus.replaceDocuments([doc('depot', [chunk(1, 'The northern depot closed for the winter.', U)], 'Depot, revised')]);
      assert.deepEqual(await canaries(ALICE), ['-']);
      assert.equal((await corpus.getDocument('depot'))?.title, 'Depot, revised');
      assert.equal((await corpus.search({ terms: ['intercepts'], access: ALICE, limit: 5 })).hits.length, 0);
      assert.equal(await corpus.countMatches({ terms: ['intercepts'], cap: 5 }), 0, 'the index forgets the old text');
      assert.equal(await corpus.countMatches({ terms: ['winter'], cap: 5 }), 1);
      // A failing batch stores nothing of any of its documents.
      const clash = { ...S_NF, level: 1 };
      await assert.rejects(corpus.replaceDocuments([doc('other', [chunk(1, 'Other depot text.', U)]), doc('depot', [chunk(1, 'Broken depot text.', clash)])]),
        (e: unknown) => e instanceof StoreError && e.code === 'CONFLICT');
      assert.equal(await corpus.getDocument('other'), undefined);
      assert.deepEqual((await corpus.listChunks('depot')).map((c) => c.text), ['The northern depot closed for the winter.']);
    });

    it('removes a document and its index entries', async (t) => {
      if (!target) return t.skip('PostgreSQL is not installed');
      await corpus.replaceDocuments([depot, doc('convoy', [chunk(1, 'Convoy departs at dawn.', S_NF)])]);
      assert.equal(await corpus.removeDocument('depot'), true);
      assert.equal(await corpus.removeDocument('depot'), false);
      assert.deepEqual(await canaries(ALICE), []);
      assert.equal(await corpus.countMatches({ terms: ['depot'], cap: 10 }), 0, 'the index forgets the removed text');
      assert.equal((await corpus.search({ terms: ['convoy'], access: SAM, limit: 5 })).hits.length, 1);
      assert.deepEqual(await corpus.listChunks('depot'), []);
      assert.deepEqual((await corpus.stats()).documents, 1);
    });

    it('with a ranking budget, rare terms select and common ones only score', async (t) => {
      if (!target) return t.skip('PostgreSQL is not installed');
      const many = Array.from({ length: 30 }, (_, i) => chunk(i + 1, `Routine status report number ${i} for the western area.`, U));
      many.push(chunk(31, 'Status of the sapphire route: closed.', U));
      await corpus.replaceDocuments([doc('reports', many)]);
      const r = await corpus.search({ terms: ['status', 'sapphire'], access: UMA, limit: 3, maxCandidates: 10 });
      assert.match(r.hits[0]!.text, /sapphire/);
      const exact = await corpus.search({ terms: ['status', 'sapphire'], access: UMA, limit: 40 });
      assert.equal(exact.truncated, false);
      assert.equal(exact.hits.length, 31);
    });
  });
}
