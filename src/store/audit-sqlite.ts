/**
 * The audit log on SQLite: each append is one `BEGIN IMMEDIATE` transaction that reads the
 * single-row head, numbers the batch, inserts it and moves the head, so a crash leaves no gap.
 * The connection runs in WAL mode with synchronous=FULL: a commit is on disk when it returns.
 */
import type Database from 'better-sqlite3';
import { StoreError } from './errors.ts';
import {
  AUDIT_CHECKPOINT_PAGE, AUDIT_ENTRY_PAGE, AUDIT_HASH_PAGE, joinHashes, splitFrontier,
  type AuditCheckpointRecord, type AuditEntryRecord, type AuditEntryStore, type AuditHeadRecord, type AuditSearchFilter,
} from './audit-types.ts';

interface EntryRow { idx: number; data: string; leaf_hash: Buffer; time: string; kind: string; actor: string; decision: string | null }
interface CheckpointRow { size: number; root: Buffer; note: string; frontier: Buffer; created_at: string }

const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const buf = (h: Uint8Array): Buffer => Buffer.from(h.buffer, h.byteOffset, h.byteLength);

function toEntry(r: EntryRow): AuditEntryRecord {
  return { index: r.idx, data: r.data, leafHash: u8(r.leaf_hash), time: r.time, kind: r.kind, actor: r.actor, decision: r.decision };
}

function toCheckpoint(r: CheckpointRow): AuditCheckpointRecord {
  return { size: r.size, rootHash: u8(r.root), note: r.note, frontier: splitFrontier(u8(r.frontier), r.root.length), createdAt: r.created_at };
}

/**
 * The audit store over an open better-sqlite3 handle whose migrations have run.
 * @example const audit = createSqliteAuditStore(openSqliteStore(path).db)
 */
export function createSqliteAuditStore(db: Database.Database): AuditEntryStore {
  const readHead = db.prepare<[], { size: number; last_leaf_hash: Buffer | null }>('SELECT size, last_leaf_hash FROM audit_head WHERE id = 1');
  const insert = db.prepare('INSERT INTO audit_entries (idx, data, leaf_hash, time, kind, actor, decision) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const setHead = db.prepare('UPDATE audit_head SET size = ?, last_leaf_hash = ? WHERE id = 1');
  const entries = db.prepare<[number, number, number], EntryRow>('SELECT * FROM audit_entries WHERE idx >= ? AND idx < ? ORDER BY idx LIMIT ?');
  const hashes = db.prepare<[number, number], { leaf_hash: Buffer }>('SELECT leaf_hash FROM audit_entries WHERE idx >= ? AND idx < ? ORDER BY idx');
  const search = db.prepare<{ after: number; actor: string | null; decision: string | null; kind: string | null; since: string | null; until: string | null; page: number }, EntryRow>(
    `SELECT * FROM audit_entries WHERE idx > @after
       AND (@actor IS NULL OR actor = @actor) AND (@decision IS NULL OR decision = @decision) AND (@kind IS NULL OR kind = @kind)
       AND (@since IS NULL OR time >= @since) AND (@until IS NULL OR time <= @until)
     ORDER BY idx LIMIT @page`,
  );
  const maxCheckpoint = db.prepare<[], { m: number | null }>('SELECT MAX(size) AS m FROM audit_checkpoints');
  const insertCheckpoint = db.prepare('INSERT INTO audit_checkpoints (size, root, note, frontier, created_at) VALUES (?, ?, ?, ?, ?)');
  const latest = db.prepare<[], CheckpointRow>('SELECT * FROM audit_checkpoints ORDER BY size DESC LIMIT 1');
  const checkpointsAfter = db.prepare<[number, number], CheckpointRow>('SELECT * FROM audit_checkpoints WHERE size > ? ORDER BY size LIMIT ?');

  const head = (): AuditHeadRecord => {
    const h = readHead.get();
    if (!h) throw new StoreError('MIGRATION_FAILED', 'audit_head row is missing');
    return { size: h.size, lastLeafHash: h.last_leaf_hash ? u8(h.last_leaf_hash) : null };
  };

  const append = db.transaction((build: (h: AuditHeadRecord) => AuditEntryRecord[]): AuditHeadRecord => {
    const h = head();
    const batch = build(h);
    batch.forEach((e, i) => {
      // The builder numbers from the head it was given; anything else would open a gap.
      if (e.index !== h.size + i) throw new StoreError('CONFLICT', `audit entry ${e.index} does not continue the log at ${h.size + i}`);
      try {
        insert.run(e.index, e.data, buf(e.leafHash), e.time, e.kind, e.actor, e.decision);
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new StoreError('CONFLICT', `audit entry ${e.index} already exists`, { cause: err });
        throw err;
      }
    });
    const last = batch[batch.length - 1];
    if (last) setHead.run(h.size + batch.length, buf(last.leafHash));
    return h;
  });

  const addCheckpoint = db.transaction((cp: AuditCheckpointRecord): boolean => {
    const max = maxCheckpoint.get()?.m ?? null;
    if ((max !== null && cp.size <= max) || cp.size > head().size) return false;
    insertCheckpoint.run(cp.size, buf(cp.rootHash), cp.note, joinHashes(cp.frontier), cp.createdAt);
    return true;
  });

  return {
    // better-sqlite3 is synchronous: the write lock is held only for this call, never across an await.
    append: async (build) => append.immediate(build),
    head: async () => head(),
    async *readEntries(from, to) {
      for (let i = from; i < to; ) {
        const rows = entries.all(i, to, AUDIT_ENTRY_PAGE);
        if (rows.length === 0) return;
        yield rows.map(toEntry);
        i = rows[rows.length - 1]!.idx + 1;
      }
    },
    async *readLeafHashes(from, to) {
      for (let i = from; i < to; i += AUDIT_HASH_PAGE) {
        const rows = hashes.all(i, Math.min(to, i + AUDIT_HASH_PAGE));
        if (rows.length === 0) return;
        yield u8(Buffer.concat(rows.map((r) => r.leaf_hash)));
      }
    },
    async *searchEntries(f: AuditSearchFilter) {
      let left = f.limit ?? Number.POSITIVE_INFINITY;
      let after = -1;
      const params = { actor: f.actor ?? null, decision: f.decision ?? null, kind: f.kind ?? null, since: f.since ?? null, until: f.until ?? null };
      while (left > 0) {
        const rows = search.all({ ...params, after, page: Math.min(left, AUDIT_ENTRY_PAGE) });
        if (rows.length === 0) return;
        yield rows.map(toEntry);
        left -= rows.length;
        after = rows[rows.length - 1]!.idx;
      }
    },
    addCheckpoint: async (cp) => addCheckpoint.immediate(cp),
    async latestCheckpoint() {
      const r = latest.get();
      return r ? toCheckpoint(r) : null;
    },
    async *listCheckpoints() {
      for (let after = -1; ; ) {
        const rows = checkpointsAfter.all(after, AUDIT_CHECKPOINT_PAGE);
        if (rows.length === 0) return;
        yield rows.map(toCheckpoint);
        after = rows[rows.length - 1]!.size;
      }
    },
  };
}
