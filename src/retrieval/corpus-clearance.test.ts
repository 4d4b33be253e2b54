/**
 * Clearance filtering over the demo corpus: for readers of different clearances, every portion
 * returned is one an independent lattice computation says they may read, every such portion that
 * matches is returned, and no canary above them ever appears.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { checkAccess, formatBanner, leastUpperBound, parseMarking, policyControls, type Label } from '../markings/index.ts';
import { openStore, openSqliteStore, type Store } from '../store/index.ts';
import { createTestDatabase, postgresServerUrl } from '../../test/support/postgres.ts';
import {
  countWithheld, createPostgresCorpusStore, createRetriever, createSqliteCorpusStore, ingestPaths, listCorpusFiles, parseDocument, searchCorpus,
  RetrievalError, toDocumentInput, type CorpusStore, type PortionPolicy, type RetrievalPrincipal,
} from './index.ts';
import { independentlyVisible } from './test-support.ts';

const DEMO = 'demo/corpus';
const signal = new AbortController().signal;
const principal = (clearance: string, nationality: string): RetrievalPrincipal => ({ clearance: parseMarking(clearance), nationality });
const READERS: Record<string, RetrievalPrincipal> = {
  uma: principal('UNCLASSIFIED', 'USA'),
  gwen: principal('SECRET//REL TO USA, GBR', 'GBR'),
  sam: principal('SECRET//NOFORN', 'USA'),
  alice: principal('TOP SECRET//SI/TK', 'USA'),
  tom: principal('TOP SECRET', 'USA'),
  kylie: principal('SECRET//REL TO USA, FVEY', 'AUS'),
};
const ask = (content: string) => [{ role: 'user', content }];

/** The demo corpus in a fresh store of each kind (PostgreSQL when the test runner started one). */
const STORES: Array<{ name: string; open(): Promise<{ store: Store; corpus: CorpusStore; drop(): Promise<void> } | undefined> }> = [
  {
    name: 'sqlite',
    async open() {
      const store = openSqliteStore(':memory:');
      return { store, corpus: createSqliteCorpusStore(store.db), drop: async () => {} };
    },
  },
  {
    name: 'postgres',
    async open() {
      const server = postgresServerUrl();
      if (!server) return undefined;
      const db = await createTestDatabase(server);
      const store = await openStore(db.url);
      return { store, corpus: createPostgresCorpusStore((store as Store & { sql: Parameters<typeof createPostgresCorpusStore>[0] }).sql), drop: db.drop };
    },
  },
];

for (const kind of STORES) describe(`clearance filtering over the demo corpus: ${kind.name}`, () => {
  let opened: Awaited<ReturnType<typeof kind.open>>;
  let corpus: CorpusStore;
  /** Every canary in the demo corpus with the label of its portion, read straight from the files. */
  const canaries = new Map<string, Label>();

  before(async () => {
    opened = await kind.open();
    if (!opened) return;
    corpus = opened.corpus;
    const report = await ingestPaths(corpus, [DEMO]);
    assert.deepEqual(report.problems, []);
    for (const file of (await listCorpusFiles([DEMO])).files) {
      const parsed = parseDocument(file, readFileSync(file, 'utf8'));
      assert.ok(parsed.ok);
      for (const p of parsed.documents.flatMap((d) => d.portions)) {
        for (const c of p.text.match(/CANARY-[A-Z0-9-]+/g) ?? []) canaries.set(c, p.label);
        if (p.label.level > 0) assert.match(p.text, /CANARY-/, `classified portion ${file}:${p.line} needs a canary`);
      }
    }
  });
  after(async () => {
    await opened?.store.close();
    await opened?.drop();
  });

  it('the independent computation agrees with checkAccess on every demo label', (t) => {
    if (!opened) return t.skip('PostgreSQL is not installed');
    for (const [name, reader] of Object.entries(READERS)) {
      for (const label of canaries.values()) {
        assert.equal(independentlyVisible(reader.clearance, reader.nationality, label), checkAccess({ label: reader.clearance, nationality: reader.nationality }, label).allowed, `${name} / ${formatBanner(label)}`);
      }
    }
  });

  for (const [name, reader] of Object.entries(READERS)) {
    it(`${name}: returns exactly the matching portions the clearance dominates, and no canary above it`, async (t) => {
    if (!opened) return t.skip('PostgreSQL is not installed');
      const retriever = createRetriever(corpus, { topK: 50 });
      for (const question of ['What is the status of the northern depot?', 'convoy route bridge', 'sensor controllers', 'canary']) {
        const got = await retriever.retrieve(reader, ask(question), signal);
        for (const p of got) {
          assert.ok(independentlyVisible(reader.clearance, reader.nationality, p.label), `${name} got ${p.portionMark} ${p.portionId}`);
          for (const c of p.text.match(/CANARY-[A-Z0-9-]+/g) ?? []) assert.ok(independentlyVisible(reader.clearance, reader.nationality, canaries.get(c)!), `${name} saw ${c}`);
        }
        assert.deepEqual(got.map((p) => p.citation), got.map((_, i) => String(i + 1)));
      }
      // Every classified portion holds the word "canary": the visible ones are exactly those returned.
      const all = await retriever.retrieve(reader, ask('canary'), signal);
      const seen = all.flatMap((p) => p.text.match(/CANARY-[A-Z0-9-]+/g) ?? []).sort();
      const expected = [...canaries].filter(([, l]) => independentlyVisible(reader.clearance, reader.nationality, l)).map(([c]) => c).sort();
      assert.deepEqual(seen, expected);
    });
  }

  it('gives the four demo users differently marked answers to the same question', async (t) => {
    if (!opened) return t.skip('PostgreSQL is not installed');
    const retriever = createRetriever(corpus);
    const banners: Record<string, string> = {};
    for (const name of ['alice', 'sam', 'gwen', 'uma']) {
      const got = await retriever.retrieve(READERS[name]!, ask('What is the status of the northern depot?'), signal);
      assert.ok(got.length > 0);
      banners[name] = formatBanner(leastUpperBound(got.map((p) => p.label)));
    }
    assert.deepEqual(banners, { alice: 'TOP SECRET//SI/TK//NOFORN', sam: 'SECRET//NOFORN', gwen: 'SECRET//REL TO USA, GBR', uma: 'UNCLASSIFIED' });
  });

  it('hands U.S.-person identities to the caller with their portions', async (t) => {
    if (!opened) return t.skip('PostgreSQL is not installed');
    const [first] = await createRetriever(corpus, { topK: 1 }).retrieve(READERS.sam!, ask('perimeter sensor controllers review team'), signal);
    assert.deepEqual(first?.usPersons, ['John Q. Smith']);
    assert.equal(first?.portionMark, '(S//NF)');
  });

  it('an unknown nationality reads nothing', async (t) => {
    if (!opened) return t.skip('PostgreSQL is not installed');
    assert.deepEqual(await createRetriever(corpus).retrieve(principal('TOP SECRET//SI/TK', 'XXX'), ask('northern depot'), signal), []);
  });

  it('searchCorpus returns only visible portions, with labels and snippets; countWithheld counts the rest', async (t) => {
    if (!opened) return t.skip('PostgreSQL is not installed');
    const hits = await searchCorpus(corpus, READERS.gwen!, 'northern depot fuel', { limit: 50 });
    assert.ok(hits.length > 0);
    for (const h of hits) {
      assert.ok(independentlyVisible(READERS.gwen!.clearance, 'GBR', parseMarking(h.banner)));
      assert.equal(h.portionMark, `(${h.portionMark.slice(1, -1)})`);
      assert.ok(h.snippet.length > 0 && h.snippet.length <= 202);
    }
    assert.equal(await countWithheld(corpus, READERS.alice!, 'northern depot'), 0);
    assert.ok(await countWithheld(corpus, READERS.uma!, 'northern depot') > 0);
    assert.deepEqual(await searchCorpus(corpus, READERS.uma!, '" OR NEAR(', {}), []);
  });

  it('withholds portions with policy-only controls unless allowed', async (t) => {
    if (!opened) return t.skip('PostgreSQL is not installed');
    const orcon = parseDocument('orcon.md', '(S//OC/NF) Originator controlled zephyrine note.');
    assert.ok(orcon.ok);
    await corpus.replaceDocuments(orcon.documents.map(toDocumentInput));
    assert.deepEqual(await createRetriever(corpus).retrieve(READERS.alice!, ask('zephyrine'), signal), []);
    const allowed = await createRetriever(corpus, { allowedControls: ['ORCON'] }).retrieve(READERS.alice!, ask('zephyrine'), signal);
    assert.equal(allowed[0]?.portionMark, '(S//OC/NF)');
  });

  it('lets a policy admit a controlled label and decide each portion, never above the clearance', async (t) => {
    if (!opened) return t.skip('PostgreSQL is not installed');
    const orcon = parseDocument('orcon-policy.md', '(S//OC/NF) Originator controlled quillwort note.\n\n(TS//SI//OC/NF) Quillwort intercept summary. CANARY-QUILLWORT-TS\n\n(S//NF) Quillwort logistics summary.');
    assert.ok(orcon.ok);
    await corpus.replaceDocuments(orcon.documents.map(toDocumentInput));
    const asked: Array<{ banner: string; portionId: string | undefined }> = [];
    const permitOrcon: PortionPolicy = {
      allows(label, portionId) {
        asked.push({ banner: formatBanner(label), portionId });
        return true;
      },
    };
    const sam = READERS.sam!;
    // Without policy the ORCON portion is withheld; with a permitting one it is read.
    assert.deepEqual((await createRetriever(corpus, { topK: 10 }).retrieve(sam, ask('quillwort'), signal)).map((p) => p.portionMark), ['(S//NF)']);
    const got = await createRetriever(corpus, { topK: 10 }).retrieve(sam, ask('quillwort'), signal, permitOrcon);
    assert.deepEqual(got.map((p) => p.portionMark).sort(), ['(S//NF)', '(S//OC/NF)']);
    // Policy is asked about labels and portions within the clearance only: the TS//SI one is never read.
    assert.ok(asked.length > 0);
    for (const a of asked) {
      const l = parseMarking(a.banner);
      assert.ok(l.level <= 2 && l.sci.length === 0, `asked about ${a.banner}`);
    }
    assert.ok(asked.some((a) => a.portionId === undefined && a.banner === 'SECRET//ORCON/NOFORN'), 'the controlled label is planned');
    assert.ok(!got.some((p) => p.text.includes('CANARY-QUILLWORT-TS')));
    // A policy that refuses the controlled label in general leaves the query as strict as without
    // one: the ORCON portion is not even read, so policy is never asked about it as a portion.
    const readPortions: string[] = [];
    const refuseControlled: PortionPolicy = {
      allows(label, portionId) {
        if (portionId !== undefined) readPortions.push(formatBanner(label));
        return policyControls(label).length === 0;
      },
    };
    assert.deepEqual((await createRetriever(corpus, { topK: 10 }).retrieve(sam, ask('quillwort'), signal, refuseControlled)).map((p) => p.portionMark), ['(S//NF)']);
    assert.deepEqual(readPortions, ['SECRET//NOFORN']);
    await corpus.removeDocument(orcon.documents[0]!.id);
  });

  it('replaces a portion policy drops with the next best, and drops what it denies', async (t) => {
    if (!opened) return t.skip('PostgreSQL is not installed');
    const reader = READERS.alice!;
    const all = await createRetriever(corpus, { topK: 3 }).retrieve(reader, ask('northern depot'), signal);
    assert.equal(all.length, 3);
    const denied = all[0]!.portionId;
    const dropFirst: PortionPolicy = { allows: (_label, portionId) => portionId !== denied };
    const got = await createRetriever(corpus, { topK: 3 }).retrieve(reader, ask('northern depot'), signal, dropFirst);
    assert.ok(!got.some((p) => p.portionId === denied));
    assert.deepEqual(got.slice(0, 2).map((p) => p.portionId), all.slice(1).map((p) => p.portionId));
    assert.equal(got.length, 3, 'the next best portion takes the dropped one\'s place');
    assert.deepEqual(got.map((p) => p.citation), ['1', '2', '3']);
    const searched = await searchCorpus(corpus, reader, 'northern depot', { policy: dropFirst });
    assert.ok(searched.length > 0 && !searched.some((h) => h.portionId === denied));
    const none: PortionPolicy = { allows: () => false };
    assert.deepEqual(await createRetriever(corpus).retrieve(reader, ask('northern depot'), signal, none), []);
    assert.deepEqual(await searchCorpus(corpus, reader, 'northern depot', { policy: none }), []);
  });

  it('fails closed when a store returns a portion above the caller', async (t) => {
    if (!opened) return t.skip('PostgreSQL is not installed');
    const [hit] = (await corpus.search({ terms: ['intercepted'], access: { level: 3, tokens: ['SCI:SI'], country: null }, limit: 1 })).hits;
    assert.ok(hit);
    const lying: CorpusStore = { ...corpus, search: async () => ({ hits: [{ ...hit, score: 0 }], truncated: false }) };
    await assert.rejects(createRetriever(lying).retrieve(READERS.sam!, ask('intercepted'), signal),
      (e: unknown) => e instanceof RetrievalError && e.code === 'ACCESS_INVARIANT');
  });

  it('checks its options when built', (t) => {
    if (!opened) return t.skip('PostgreSQL is not installed');
    assert.throws(() => createRetriever(corpus, { topK: 0 }), (e: unknown) => e instanceof RetrievalError && e.code === 'INVALID_OPTIONS');
    assert.throws(() => createRetriever(corpus, { maxCandidates: 5 }), RetrievalError);
  });

  it('stops when the request is aborted', async (t) => {
    if (!opened) return t.skip('PostgreSQL is not installed');
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(createRetriever(corpus).retrieve(READERS.alice!, ask('depot'), controller.signal));
  });
});
