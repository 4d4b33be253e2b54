/** The audit log over the file store: group commit, durability, checkpoints, proofs, restarts. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createKeyRing, parseSignedNote, rotateKeyRing } from '../crypto/index.ts';
import { checkpointKeysFromRing, parseCheckpointBody } from './checkpoint.ts';
import { EXPORT_FILES } from './export-format.ts';
import { verifyConsistency, verifyInclusion } from './merkle.ts';
import { createAuditRecorder } from './recorder.ts';
import type { AuditStore, LogHead, StoredEntry } from './store.ts';
import { verifyExportDirectory } from './verify-export.ts';
import { openFileLog, sampleRecord, tempDir, testRing, TEST_ORIGIN } from './test-support.ts';

let tmp: { dir: string; cleanup: () => Promise<void> };
let n = 0;
const nextDir = () => join(tmp.dir, `log-${n++}`);
const rootOf = (note: string) => parseCheckpointBody(parseSignedNote(note).text).rootHash;

/** Wraps a store so a test can hold writes in flight and see batch sizes. */
function gated(store: AuditStore) {
  const batches: number[] = [];
  let gate: Promise<void> | null = null;
  let open = () => {};
  let committed = 0;
  const wrapped: AuditStore = {
    ...store,
    append: async (build: (h: LogHead) => StoredEntry[]) => {
      if (gate) await gate;
      const head = await store.append((h) => {
        const built = build(h);
        return built;
      });
      batches.push((await store.head()).size - head.size);
      committed = (await store.head()).size;
      return head;
    },
  };
  return {
    wrapped,
    batches,
    committed: () => committed,
    hold: () => {
      gate = new Promise((r) => (open = r));
    },
    release: () => {
      gate = null;
      open();
    },
  };
}

describe('AuditLog', () => {
  before(async () => (tmp = await tempDir()));
  after(() => tmp.cleanup());

  describe('group commit', () => {
    it('batches appends that arrive while a write is in flight, and acknowledges only durable entries', async () => {
      let g!: ReturnType<typeof gated>;
      const { log } = await openFileLog(nextDir(), { wrap: (s) => (g = gated(s)).wrapped, maxBatchSize: 4 });
      g.hold();
      const first = log.append(sampleRecord(0));
      const rest = Array.from({ length: 9 }, (_, i) => log.append(sampleRecord(i + 1)));
      let acknowledged = false;
      void first.then(() => (acknowledged = true));
      await new Promise((r) => setImmediate(r));
      assert.equal(acknowledged, false, 'nothing is acknowledged before the write completes');
      g.release();
      const receipts = await Promise.all([first, ...rest]);
      assert.deepEqual(receipts.map((r) => r.index), [...Array(10).keys()]);
      assert.deepEqual(g.batches, [1, 4, 4, 1]);
      assert.equal(g.committed(), 10);
      await log.close();
    });

    it('rejects a whole failed batch, acknowledges nothing of it, and leaves no gap', async () => {
      let failNext = true;
      const { log } = await openFileLog(nextDir(), {
        wrap: (store) => ({
          ...store,
          append: (build) => {
            if (failNext) {
              failNext = false;
              return Promise.reject(new Error('disk full'));
            }
            return store.append(build);
          },
        }),
      });
      const failed = await Promise.allSettled([log.append(sampleRecord(0)), log.append(sampleRecord(1))]);
      assert.equal(failed[0].status, 'rejected');
      assert.equal(failed[0].status === 'rejected' && (failed[0].reason as { code: string }).code, 'APPEND_FAILED');
      const ok = await log.append(sampleRecord(2));
      const batchTwo = failed[1].status === 'fulfilled' ? 1 : 0;
      assert.equal(ok.index, batchTwo);
      await log.close();
    });

    it('rejects invalid records without writing', async () => {
      const { log, store } = await openFileLog(nextDir());
      await assert.rejects(log.append({ kind: 'request' }), { code: 'INVALID_RECORD' });
      assert.equal((await store.head()).size, 0);
      await log.close();
      await assert.rejects(log.append(sampleRecord(0)), { code: 'CLOSED' });
    });
  });

  describe('checkpoints', () => {
    it('signs only when the log grew, and never over an inconsistent checkpoint', async () => {
      const { log, store } = await openFileLog(nextDir());
      assert.equal(await log.checkpoint(), null);
      await Promise.all([0, 1, 2].map((i) => log.append(sampleRecord(i))));
      const a = await log.checkpoint();
      assert.equal(a?.size, 3);
      assert.equal((await log.checkpoint())?.note, a?.note);
      await Promise.all([3, 4].map((i) => log.append(sampleRecord(i))));
      // Someone with store access plants a checkpoint whose root is not the log's.
      assert.ok(await store.addCheckpoint({ ...a!, size: 5, rootHash: new Uint8Array(32) }));
      await log.append(sampleRecord(5));
      await assert.rejects(log.checkpoint(), { code: 'CHECKPOINT_INCONSISTENT' });
      await assert.rejects(log.close(), { code: 'CHECKPOINT_INCONSISTENT' });
    });

    it('signs periodically from the timer', async () => {
      let signed: (size: number) => void = () => {};
      const seen = new Promise<number>((r) => (signed = r));
      const { log } = await openFileLog(nextDir(), {
        checkpointIntervalMs: 5,
        wrap: (store) => ({
          ...store,
          addCheckpoint: async (cp) => {
            const ok = await store.addCheckpoint(cp);
            signed(cp.size);
            return ok;
          },
        }),
      });
      // The log's timer is unref'd (it must not keep a process alive), so hold the loop open here.
      const keepAlive = setInterval(() => {}, 1000);
      try {
        await log.append(sampleRecord(0));
        assert.equal(await seen, 1);
      } finally {
        clearInterval(keepAlive);
        await log.close();
      }
    });

    it('signs a final checkpoint on close, covering every acknowledged entry', async () => {
      const dir = nextDir();
      const { log } = await openFileLog(dir);
      const pending = Array.from({ length: 20 }, (_, i) => log.append(sampleRecord(i)));
      await log.close();
      await Promise.all(pending);
      const again = await openFileLog(dir);
      assert.equal((await again.log.latestCheckpoint())?.size, 20);
      await again.log.close();
    });
  });

  describe('proofs', () => {
    const dir = () => join(tmp.dir, 'proofs');
    before(async () => {
      const { log } = await openFileLog(dir());
      for (let i = 0; i < 700; i += 100) await Promise.all(Array.from({ length: 100 }, (_, k) => log.append(sampleRecord(i + k))));
      await log.close();
    });

    it('proves inclusion of entries across tiles against the latest checkpoint', async () => {
      const { log } = await openFileLog(dir());
      for (const index of [0, 1, 255, 256, 511, 600, 699]) {
        const b = await log.prove(index);
        assert.equal(b.size, 700);
        assert.equal((JSON.parse(b.entry) as { seq: number }).seq, index);
        assert.ok(verifyInclusion(index, b.size, b.leafHash, b.proof, rootOf(b.checkpoint)), `index ${index}`);
      }
      await assert.rejects(log.prove(700), { code: 'INVALID_PROOF_REQUEST' });
      await log.close();
    });

    it('proves consistency between sizes, with the checkpoints that exist', async () => {
      const { log } = await openFileLog(dir());
      for (const from of [0, 1, 255, 256, 300, 512, 700]) {
        const c = await log.consistency(from);
        assert.equal(c.to, 700);
        assert.ok(verifyConsistency(from, 700, c.fromRoot, c.toRoot, c.proof), `from ${from}`);
      }
      const full = await log.consistency(1, 700);
      assert.equal(full.fromCheckpoint, null);
      assert.ok(full.toCheckpoint && verifyConsistency(1, 700, full.fromRoot, rootOf(full.toCheckpoint), full.proof));
      await assert.rejects(log.consistency(701), { code: 'INVALID_PROOF_REQUEST' });
      await log.close();
    });

    it('detects a store whose leaf hashes no longer give the signed tree', async () => {
      const file = join(dir(), EXPORT_FILES.entries);
      const text = await readFile(file, 'utf8');
      await writeFile(file, text.replace('"actor":"user-1"', '"actor":"user-9"'));
      try {
        const { log } = await openFileLog(dir());
        await assert.rejects(log.prove(3), { code: 'STORE_CORRUPT' });
        await log.close();
      } finally {
        await writeFile(file, text);
      }
    });
  });

  describe('restarts', () => {
    it('resumes from the latest checkpoint and continues the chain', async () => {
      const dir = nextDir();
      const first = await openFileLog(dir);
      await Promise.all(Array.from({ length: 30 }, (_, i) => first.log.append(sampleRecord(i))));
      await first.log.close();
      const second = await openFileLog(dir);
      assert.equal(second.log.size, 30);
      assert.equal((await second.log.append(sampleRecord(30))).index, 30);
      assert.ok((await second.log.verify()).ok);
      await second.log.close();
    });

    it('keeps verifying across a key rotation, and refuses keys that never signed the log', async () => {
      const dir = nextDir();
      const first = await openFileLog(dir);
      await Promise.all(Array.from({ length: 5 }, (_, i) => first.log.append(sampleRecord(i))));
      await first.log.close();
      const rotated = checkpointKeysFromRing(TEST_ORIGIN, rotateKeyRing(testRing()));
      const second = await openFileLog(dir, { keys: rotated });
      await Promise.all(Array.from({ length: 5 }, (_, i) => second.log.append(sampleRecord(5 + i))));
      await second.log.checkpoint();
      assert.equal(second.log.verifierKeys().length, 4);
      assert.ok((await second.log.verify()).ok);
      await second.log.export(join(dir, 'export'));
      const v = await verifyExportDirectory(join(dir, 'export'));
      assert.ok(v.result.ok && v.result.checkpoints === 2 && v.keys.length === 4);
      await second.log.close();
      await assert.rejects(openFileLog(dir, { keys: checkpointKeysFromRing(TEST_ORIGIN, createKeyRing()) }), { code: 'CONFIG_MISMATCH' });
    });

    it('without a usable frontier, rebuilds from leaf hashes and checks them against the signed root', async () => {
      const dir = nextDir();
      const first = await openFileLog(dir);
      await Promise.all(Array.from({ length: 12 }, (_, i) => first.log.append(sampleRecord(i))));
      await first.log.close();
      const noFrontier = (store: AuditStore): AuditStore => ({ ...store, latestCheckpoint: async () => ({ ...(await store.latestCheckpoint())!, frontier: [] }) });
      const intact = await openFileLog(dir, { wrap: noFrontier });
      assert.equal(intact.log.size, 12);
      await intact.log.close({ checkpoint: false });
      const file = join(dir, EXPORT_FILES.entries);
      await writeFile(file, (await readFile(file, 'utf8')).replace('"actor":"user-2"', '"actor":"user-7"'));
      await assert.rejects(openFileLog(dir, { wrap: noFrontier }), { code: 'STORE_CORRUPT' });
    });

    it('refuses to open a store that lost checkpointed entries', async () => {
      const dir = nextDir();
      const first = await openFileLog(dir);
      await Promise.all(Array.from({ length: 5 }, (_, i) => first.log.append(sampleRecord(i))));
      await first.log.close();
      const file = join(dir, EXPORT_FILES.entries);
      const lines = (await readFile(file, 'utf8')).split('\n');
      await writeFile(file, `${lines.slice(0, 3).join('\n')}\n`);
      await assert.rejects(openFileLog(dir), { code: 'STORE_CORRUPT' });
    });
  });

  it('searches by actor, decision and time', async () => {
    const { log } = await openFileLog(nextDir());
    await Promise.all(Array.from({ length: 12 }, (_, i) => log.append(sampleRecord(i))));
    const find = async (filter: Parameters<typeof log.search>[0]) => {
      const found: StoredEntry[] = [];
      for await (const page of log.search(filter)) found.push(...page);
      return found.map((e) => e.index);
    };
    assert.deepEqual(await find({ decision: 'deny', since: '2025-01-01T00:00:01Z' }), [4, 8]);
    assert.deepEqual(await find({ actor: 'user-0' }), [0, 5, 10]);
    assert.deepEqual(await find({ until: '2025-01-01T00:00:03Z', limit: 2 }), [0, 1]);
    await log.close();
  });

  it('works end to end with SHA-384 (CNSA 2.0)', async () => {
    const dir = nextDir();
    const { log } = await openFileLog(dir, { hashAlgorithm: 'sha384' });
    const r = await log.append(sampleRecord(0));
    assert.equal(r.leafHash.length, 48);
    await log.export(join(dir, 'export'));
    const v = await verifyExportDirectory(join(dir, 'export'));
    assert.ok(v.result.ok && v.hashAlgorithm === 'sha384' && v.result.root.length === 48);
    await log.close();
  });

  it('records gateway events through the recorder adapter', async () => {
    const { log } = await openFileLog(nextDir());
    const recorder = createAuditRecorder(log);
    const { ref } = await recorder.record({ kind: 'request', actor: 'alice', requestId: 'r1', data: { decision: 'deny', rule: 'forbid-wmd', label: 'SECRET', prompt_sha256: 'a'.repeat(64), model: 'm', status: 403, answer_sha256: undefined } });
    assert.equal(ref, 'audit:0');
    let entry: Record<string, unknown> = {};
    for await (const page of log.readEntries(0, 1)) entry = JSON.parse(page[0]!.data) as Record<string, unknown>;
    assert.deepEqual(entry.policyIds, ['forbid-wmd']);
    assert.deepEqual(entry.digests, { prompt: `sha256:${'a'.repeat(64)}` });
    assert.deepEqual(entry.details, { model: 'm', status: 403 });
    await assert.rejects(recorder.record({ kind: 'gossip', actor: null, requestId: null, data: {} }), { code: 'INVALID_RECORD' });
    await log.close();
  });
});
