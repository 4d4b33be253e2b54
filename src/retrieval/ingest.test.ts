/** Ingesting files and folders: all or nothing per file, replacement by id, progress. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../store/index.ts';
import { createSqliteCorpusStore, ingestPaths, type CorpusStore, type IngestProgress } from './index.ts';

describe('ingestPaths', () => {
  let dir: string;
  let store: ReturnType<typeof openSqliteStore>;
  let corpus: CorpusStore;
  const texts = async (id: string) => (await corpus.listChunks(id)).map((c) => c.text);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'enclave-ingest-'));
    store = openSqliteStore(':memory:');
    corpus = createSqliteCorpusStore(store.db);
    mkdirSync(join(dir, 'docs', 'nested'), { recursive: true });
    writeFileSync(join(dir, 'docs', 'depot.md'), 'SECRET\n\n# (U) Depot\n\n(S) The depot is short of fuel.\n');
    writeFileSync(join(dir, 'docs', 'nested', 'bulletins.jsonl'),
      `${JSON.stringify({ id: 'b1', title: 'B1', label: 'U', text: 'Road open.' })}\n${JSON.stringify({ id: 'b2', title: 'B2', label: 'S//NF', text: 'Sensors failed.' })}\n`);
    writeFileSync(join(dir, 'docs', 'broken.txt'), '(U) Fine first paragraph about the convoy.\n\nA convoy paragraph with no mark.\n');
    writeFileSync(join(dir, 'docs', 'ignored.pdf'), 'not a corpus file');
    writeFileSync(join(dir, 'docs', '.hidden.md'), 'no marks at all');
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores good files, rejects a bad one with file:line, and stores nothing of it', async () => {
    const progress: IngestProgress[] = [];
    const report = await ingestPaths(corpus, [join(dir, 'docs')], { onProgress: (p) => progress.push(p) });
    assert.equal(report.files, 3);
    assert.equal(report.filesRejected, 1);
    assert.deepEqual([...report.documentIds].sort(), ['b1', 'b2', 'depot']);
    assert.equal(report.portions, 4);
    assert.deepEqual(report.problems.map((p) => [p.file, p.line]), [[join(dir, 'docs', 'broken.txt'), 3]]);
    assert.equal((await corpus.countMatches({ terms: ['convoy'], cap: 10 })), 0, 'nothing of the rejected file is stored');
    assert.deepEqual(progress.map((p) => p.filesDone), [1, 2, 3]);
    assert.equal(progress.at(-1)?.filesTotal, 3);
    assert.equal((await corpus.getDocument('depot'))?.banner, 'SECRET');
  });

  it('re-ingesting a document id replaces it, and remove deletes it', async () => {
    writeFileSync(join(dir, 'depot-v2.md'), '---\nid: depot\n---\n(U) The depot was restocked.\n');
    const report = await ingestPaths(corpus, [join(dir, 'depot-v2.md')]);
    assert.equal(report.filesRejected, 0);
    assert.deepEqual(await texts('depot'), ['The depot was restocked.']);
    assert.equal((await corpus.getDocument('depot'))?.banner, 'UNCLASSIFIED');
    assert.equal(await corpus.countMatches({ terms: ['fuel'], cap: 10 }), 0);
    assert.equal(await corpus.removeDocument('depot'), true);
    assert.equal(await corpus.getDocument('depot'), undefined);
  });

  it('rejects a second file with the same document id in one run, and unreadable paths', async () => {
    writeFileSync(join(dir, 'one.md'), '---\nid: same\n---\n(U) First.\n');
    writeFileSync(join(dir, 'two.md'), '---\nid: same\n---\n(U) Second.\n');
    const report = await ingestPaths(corpus, [join(dir, 'one.md'), join(dir, 'two.md'), join(dir, 'missing.md'), join(dir, 'docs', 'ignored.pdf')]);
    assert.deepEqual(report.documentIds, ['same']);
    assert.deepEqual(await texts('same'), ['First.']);
    const messages = report.problems.map((p) => `${p.file}: ${p.message}`).join('\n');
    assert.match(messages, /two\.md: document id "same" is also in .*one\.md/);
    assert.match(messages, /missing\.md: cannot read: ENOENT/);
    assert.match(messages, /ignored\.pdf: not a corpus file/);
    assert.equal(report.filesRejected, 3);
  });

  it('rejects a file that is not UTF-8', async () => {
    writeFileSync(join(dir, 'latin1.txt'), Buffer.from([0x28, 0x55, 0x29, 0x20, 0xe9, 0x0a]));
    const report = await ingestPaths(corpus, [join(dir, 'latin1.txt')]);
    assert.match(report.problems[0]?.message ?? '', /not valid UTF-8/);
  });
});
