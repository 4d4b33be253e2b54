/**
 * Worker thread owning the audit log's SQLite write connection. A commit's fsync then blocks
 * this thread, not the gateway's event loop, so requests keep arriving and queue into the next
 * group commit. Protocol (one transaction at a time, serialised by the caller): `begin` takes the
 * write lock (BEGIN IMMEDIATE) and returns the head; `commit` inserts rows, moves the head and
 * commits; `rollback` releases the lock; `checkpoint` runs addCheckpoint's transaction.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

export interface WriterRow { idx: number; data: string; leafHash: Uint8Array; time: string; kind: string; actor: string; decision: string | null }
export interface WriterCheckpoint { size: number; root: Uint8Array; note: string; frontier: Uint8Array; createdAt: string }
export type WriterCall =
  | { op: 'begin' }
  | { op: 'commit'; rows: WriterRow[] }
  | { op: 'rollback' }
  | { op: 'checkpoint'; checkpoint: WriterCheckpoint };
export type WriterRequest = WriterCall & { id: number };
export type WriterReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; message: string; code?: string };

const port = parentPort!;
const db = new Database((workerData as { path: string }).path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');
const readHead = db.prepare<[], { size: number; last_leaf_hash: Buffer | null }>('SELECT size, last_leaf_hash FROM audit_head WHERE id = 1');
const insert = db.prepare('INSERT INTO audit_entries (idx, data, leaf_hash, time, kind, actor, decision) VALUES (?, ?, ?, ?, ?, ?, ?)');
const setHead = db.prepare('UPDATE audit_head SET size = ?, last_leaf_hash = ? WHERE id = 1');
const maxCheckpoint = db.prepare<[], { m: number | null }>('SELECT MAX(size) AS m FROM audit_checkpoints');
const insertCheckpoint = db.prepare('INSERT INTO audit_checkpoints (size, root, note, frontier, created_at) VALUES (?, ?, ?, ?, ?)');
const buf = (h: Uint8Array) => Buffer.from(h.buffer, h.byteOffset, h.byteLength);

const addCheckpoint = db.transaction((cp: WriterCheckpoint): boolean => {
  const max = maxCheckpoint.get()?.m ?? null;
  if ((max !== null && cp.size <= max) || cp.size > (readHead.get()?.size ?? 0)) return false;
  insertCheckpoint.run(cp.size, buf(cp.root), cp.note, buf(cp.frontier), cp.createdAt);
  return true;
});

function handle(m: WriterRequest): unknown {
  switch (m.op) {
    case 'begin': {
      db.exec('BEGIN IMMEDIATE');
      const h = readHead.get();
      return h ? { size: h.size, last: h.last_leaf_hash ? new Uint8Array(h.last_leaf_hash) : null } : null;
    }
    case 'commit': {
      for (const r of m.rows) insert.run(r.idx, r.data, buf(r.leafHash), r.time, r.kind, r.actor, r.decision);
      const last = m.rows[m.rows.length - 1];
      if (last) setHead.run(last.idx + 1, buf(last.leafHash));
      db.exec('COMMIT');
      return true;
    }
    case 'rollback':
      if (db.inTransaction) db.exec('ROLLBACK');
      return true;
    case 'checkpoint':
      return addCheckpoint.immediate(m.checkpoint);
  }
}

port.on('message', (m: WriterRequest) => {
  try {
    port.postMessage({ id: m.id, ok: true, value: handle(m) } satisfies WriterReply);
  } catch (err) {
    // A failed commit writes nothing: release the lock so the next batch can go.
    if (db.inTransaction) db.exec('ROLLBACK');
    const e = err as { message?: string; code?: string };
    port.postMessage({ id: m.id, ok: false, message: String(e.message ?? err), ...(e.code ? { code: e.code } : {}) } satisfies WriterReply);
  }
});
