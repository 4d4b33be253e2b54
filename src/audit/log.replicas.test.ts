/**
 * Several gateway replicas appending to one log. The store here is a reference AuditStore over
 * better-sqlite3 (in memory), written the way src/store must do it: sequencing inside the write
 * transaction on a single-row head, so no gap and no duplicate can arise.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { AuditLog } from './log.ts';
import { checkpointKeysFromRing } from './checkpoint.ts';
import type { AuditSearch, AuditStore, LogHead, StoredCheckpoint, StoredEntry } from './store.ts';
import { sampleRecord, testRing, TEST_ORIGIN } from './test-support.ts';

const SCHEMA = `
  CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), size INTEGER NOT NULL, last_leaf_hash BLOB);
  INSERT INTO audit_head (id, size, last_leaf_hash) VALUES (1, 0, NULL);
  CREATE TABLE audit_entries (idx INTEGER PRIMARY KEY, data TEXT NOT NULL, leaf_hash BLOB NOT NULL,
    time TEXT NOT NULL, kind TEXT NOT NULL, actor TEXT NOT NULL, decision TEXT);
  CREATE INDEX audit_entries_actor_time ON audit_entries (actor, time);
  CREATE TABLE audit_checkpoints (size INTEGER PRIMARY KEY, root BLOB NOT NULL, note TEXT NOT NULL,
    frontier BLOB NOT NULL, created_at TEXT NOT NULL);
`;

interface EntryRow { idx: number; data: string; leaf_hash: Buffer; time: string; kind: string; actor: string; decision: string | null }
interface CheckpointRow { size: number; root: Buffer; note: string; frontier: Buffer; created_at: string }

const u8 = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const toEntry = (r: EntryRow): StoredEntry => ({ index: r.idx, data: r.data, leafHash: u8(r.leaf_hash), time: r.time, kind: r.kind, actor: r.actor, decision: r.decision });
const toCheckpoint = (r: CheckpointRow): StoredCheckpoint => {
  const frontier: Uint8Array[] = [];
  for (let i = 0; i < r.frontier.length; i += 32) frontier.push(u8(r.frontier.subarray(i, i + 32)));
  return { size: r.size, rootHash: u8(r.root), note: r.note, frontier, createdAt: r.created_at };
};

/** Reference AuditStore; `retryEvery` makes every k-th append call `build` twice, as a retried PG transaction would. */
function sqliteAuditStore(db: Database.Database, retryEvery = 0): AuditStore {
  db.exec(SCHEMA);
  let appends = 0;
  const readHead = db.prepare<[], { size: number; last_leaf_hash: Buffer | null }>('SELECT size, last_leaf_hash FROM audit_head WHERE id = 1');
  const insert = db.prepare('INSERT INTO audit_entries (idx, data, leaf_hash, time, kind, actor, decision) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const setHead = db.prepare('UPDATE audit_head SET size = ?, last_leaf_hash = ? WHERE id = 1');
  const head = (): LogHead => {
    const h = readHead.get()!;
    return { size: h.size, lastLeafHash: h.last_leaf_hash ? u8(h.last_leaf_hash) : null };
  };
  const append = db.transaction((build: (h: LogHead) => StoredEntry[]) => {
    const h = head();
    if (retryEvery > 0 && ++appends % retryEvery === 0) build(h);
    const entries = build(h);
    entries.forEach((e, i) => {
      if (e.index !== h.size + i) throw new Error('entries must continue the log');
      insert.run(e.index, e.data, e.leafHash, e.time, e.kind, e.actor, e.decision);
    });
    if (entries.length > 0) setHead.run(h.size + entries.length, entries[entries.length - 1]!.leafHash);
    return h;
  });
  const addCheckpoint = db.transaction((cp: StoredCheckpoint) => {
    const max = db.prepare<[], { m: number | null }>('SELECT MAX(size) AS m FROM audit_checkpoints').get()!.m;
    if ((max !== null && cp.size <= max) || cp.size > head().size) return false;
    db.prepare('INSERT INTO audit_checkpoints VALUES (?, ?, ?, ?, ?)').run(cp.size, cp.rootHash, cp.note, Buffer.concat(cp.frontier), cp.createdAt);
    return true;
  });
  return {
    append: async (build) => append.immediate(build),
    head: async () => head(),
    async *readEntries(from, to) {
      for (let i = from; i < to; i += 500) yield db.prepare<[number, number], EntryRow>('SELECT * FROM audit_entries WHERE idx >= ? AND idx < ? ORDER BY idx').all(i, Math.min(to, i + 500)).map(toEntry);
    },
    async *readLeafHashes(from, to) {
      for (let i = from; i < to; i += 1000) {
        const rows = db.prepare<[number, number], { leaf_hash: Buffer }>('SELECT leaf_hash FROM audit_entries WHERE idx >= ? AND idx < ? ORDER BY idx').all(i, Math.min(to, i + 1000));
        yield u8(Buffer.concat(rows.map((r) => r.leaf_hash)));
      }
    },
    async *searchEntries(f: AuditSearch) {
      const rows = db
        .prepare<[string | null, string | null, string | null, string | null, string | null, number], EntryRow>(
          `SELECT * FROM audit_entries WHERE (?1 IS NULL OR actor = ?1) AND (?2 IS NULL OR decision = ?2) AND (?3 IS NULL OR kind = ?3)
           AND (?4 IS NULL OR time >= ?4) AND (?5 IS NULL OR time <= ?5) ORDER BY idx LIMIT ?6`,
        )
        .all(f.actor ?? null, f.decision ?? null, f.kind ?? null, f.since ?? null, f.until ?? null, f.limit ?? -1);
      yield rows.map(toEntry);
    },
    addCheckpoint: async (cp) => addCheckpoint.immediate(cp),
    latestCheckpoint: async () => {
      const r = db.prepare<[], CheckpointRow>('SELECT * FROM audit_checkpoints ORDER BY size DESC LIMIT 1').get();
      return r ? toCheckpoint(r) : null;
    },
    async *listCheckpoints() {
      yield db.prepare<[], CheckpointRow>('SELECT * FROM audit_checkpoints ORDER BY size').all().map(toCheckpoint);
    },
  };
}

const open = (store: AuditStore, maxBatchSize: number) =>
  AuditLog.open({ store, origin: TEST_ORIGIN, keys: checkpointKeysFromRing(TEST_ORIGIN, testRing()), checkpointIntervalMs: 0, maxBatchSize });

describe('several replicas on one store', () => {
  it('append without gaps or duplicates, and every checkpoint agrees', async () => {
    const db = new Database(':memory:');
    const store = sqliteAuditStore(db, 3);
    const replicas = await Promise.all([open(store, 7), open(store, 5), open(store, 11)]);
    const receipts = [];
    for (let round = 0; round < 6; round++) {
      receipts.push(...(await Promise.all(replicas.flatMap((log, r) => Array.from({ length: 20 }, (_, i) => log.append(sampleRecord(round * 100 + r * 20 + i)))))));
      await replicas[round % 3]!.checkpoint();
    }
    const indexes = receipts.map((r) => r.index).sort((a, b) => a - b);
    assert.deepEqual(indexes, [...Array(360).keys()]);
    // A replica that did not write the latest entries catches up from the store before signing.
    const cps = await Promise.all(replicas.map((l) => l.checkpoint()));
    assert.ok(cps.every((c) => c?.size === 360));
    const result = await replicas[1]!.verify({ strict: true });
    assert.ok(result.ok && result.size === 360 && result.uncovered === 0, JSON.stringify(result));
    const proof = await replicas[2]!.prove(17);
    assert.equal(proof.size, 360);
    await Promise.all(replicas.map((l) => l.close()));
    db.close();
  });

  it('two replicas racing to sign store one checkpoint per size', async () => {
    const db = new Database(':memory:');
    const store = sqliteAuditStore(db);
    const [a, b] = await Promise.all([open(store, 8), open(store, 8)]);
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).append(sampleRecord(i))));
    const [ca, cb] = await Promise.all([a!.checkpoint(), b!.checkpoint()]);
    assert.equal(ca?.note, cb?.note);
    const sizes: number[] = [];
    for await (const page of store.listCheckpoints()) sizes.push(...page.map((c) => c.size));
    assert.deepEqual(sizes, [10]);
    await Promise.all([a!.close(), b!.close()]);
    db.close();
  });
});
