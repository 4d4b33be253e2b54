/** The file-backed store: durable appends, crash recovery, monotonic checkpoints, conflicts. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createExportStore } from './export-store.ts';
import { EXPORT_FILES } from './export-format.ts';
import type { StoredEntry } from './store.ts';
import { leafHash } from './tree-hash.ts';
import { tempDir, TEST_ORIGIN } from './test-support.ts';

let tmp: { dir: string; cleanup: () => Promise<void> };
let n = 0;
const nextDir = () => join(tmp.dir, `s-${n++}`);

function entry(index: number, actor = 'a'): StoredEntry {
  const data = JSON.stringify({ actor, kind: 'request', seq: index, time: '2025-01-01T00:00:00.000Z' });
  return { index, data, leafHash: leafHash(new TextEncoder().encode(data)), time: '2025-01-01T00:00:00.000Z', kind: 'request', actor, decision: null };
}

const cp = (size: number) => ({ size, rootHash: new Uint8Array(32), note: `n${size}`, frontier: [], createdAt: '2025-01-01T00:00:00.000Z' });

describe('export store', () => {
  before(async () => (tmp = await tempDir()));
  after(() => tmp.cleanup());

  it('appends in order and reads back entries and leaf hashes', async () => {
    const store = await createExportStore(nextDir(), { origin: TEST_ORIGIN });
    const head = await store.append((h) => [entry(h.size), entry(h.size + 1)]);
    assert.deepEqual(head, { size: 0, lastLeafHash: null });
    await store.append((h) => [entry(h.size)]);
    assert.equal((await store.head()).size, 3);
    const read: StoredEntry[] = [];
    for await (const page of store.readEntries(1, 3)) read.push(...page);
    assert.deepEqual(read, [entry(1), entry(2)]);
    const hashes: Uint8Array[] = [];
    for await (const page of store.readLeafHashes(0, 3)) hashes.push(page);
    assert.deepEqual(hashes, [new Uint8Array(Buffer.concat([entry(0).leafHash, entry(1).leafHash, entry(2).leafHash]))]);
    await assert.rejects(async () => {
      for await (const _ of store.readEntries(2, 4)) void _;
    }, RangeError);
    await store.close();
  });

  it('refuses entries that do not continue the log, writing nothing', async () => {
    const store = await createExportStore(nextDir(), { origin: TEST_ORIGIN });
    await store.append(() => [entry(0)]);
    await assert.rejects(store.append(() => [entry(0)]), { code: 'STORE_CONFLICT' });
    await assert.rejects(store.append(() => [entry(1), entry(3)]), { code: 'STORE_CONFLICT' });
    assert.equal((await store.head()).size, 1);
    await store.close();
  });

  it('cuts off a torn last line on open and keeps the acknowledged ones', async () => {
    const dir = nextDir();
    const store = await createExportStore(dir, { origin: TEST_ORIGIN });
    await store.append(() => [entry(0), entry(1)]);
    await store.close();
    await appendFile(join(dir, EXPORT_FILES.entries), '{"actor":"a","ki');
    const reopened = await createExportStore(dir, { origin: TEST_ORIGIN });
    assert.deepEqual(await reopened.head(), { size: 2, lastLeafHash: entry(1).leafHash });
    await reopened.append((h) => [entry(h.size)]);
    assert.equal((await readFile(join(dir, EXPORT_FILES.entries), 'utf8')).split('\n').length, 4);
    await reopened.close();
  });

  it('keeps checkpoints monotonic and within the log', async () => {
    const store = await createExportStore(nextDir(), { origin: TEST_ORIGIN });
    await store.append(() => [entry(0), entry(1), entry(2)]);
    assert.equal(await store.addCheckpoint(cp(4)), false);
    assert.equal(await store.addCheckpoint(cp(2)), true);
    assert.equal(await store.addCheckpoint(cp(2)), false);
    assert.equal(await store.addCheckpoint(cp(1)), false);
    assert.equal(await store.addCheckpoint(cp(3)), true);
    assert.equal((await store.latestCheckpoint())?.size, 3);
    const sizes: number[] = [];
    for await (const page of store.listCheckpoints()) sizes.push(...page.map((c) => c.size));
    assert.deepEqual(sizes, [2, 3]);
    await store.close();
  });

  it('refuses to open a directory that holds another log', async () => {
    const dir = nextDir();
    await (await createExportStore(dir, { origin: TEST_ORIGIN })).close();
    await assert.rejects(createExportStore(dir, { origin: 'other.log/x' }), { code: 'CONFIG_MISMATCH' });
    await assert.rejects(createExportStore(dir, { origin: TEST_ORIGIN, hashAlgorithm: 'sha384' }), { code: 'CONFIG_MISMATCH' });
  });
});
