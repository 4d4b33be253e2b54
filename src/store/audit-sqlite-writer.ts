/**
 * Worker thread owning the audit log's SQLite write connection. A commit's fsync then blocks
 * this thread, not the gateway's event loop, so requests keep arriving and queue into the next
 * group commit. Protocol (one transaction at a time, serialised by the caller):
 * - `append` is optimistic, one round trip: the rows were numbered from the head the caller
 *   expects; inside BEGIN IMMEDIATE the stored head is compared with it and the rows are written
 *   only on a match, otherwise nothing is written and the actual head comes back (another process,
 *   such as a CLI command, appended in between);
 * - `begin` / `commit` / `rollback` hold the write lock across the caller's build, the fallback
 *   that always makes progress under contention;
 * - `checkpoint` runs addCheckpoint's transaction.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

export interface WriterRow { idx: number; data: string; leafHash: Uint8Array; time: string; kind: string; actor: string; decision: string | null }
export interface WriterCheckpoint { size: number; root: Uint8Array; note: string; frontier: Uint8Array; createdAt: string }
export type WriterCall =
  | { op: 'append'; expectSize: number; expectLast: Uint8Array | null; rows: WriterRow[] }
  | { op: 'begin' }
  | { op: 'commit'; rows: WriterRow[] }
  | { op: 'rollback' }
  | { op: 'checkpoint'; checkpoint: WriterCheckpoint };
export type WriterRequest = WriterCall & { id: number };
export type WriterReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; message: string; code?: string };

const port = parentPort!;
const init = workerData as { path: string; autocheckpoint?: number };
const db = new Database(init.path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');
db.pragma(`wal_autocheckpoint = ${Math.max(0, Math.trunc(init.autocheckpoint ?? 1000))}`);
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

/** The head as the caller sees it, or null when the audit_head row is missing. */
export type WriterHead = { size: number; last: Uint8Array | null } | null;

function currentHead(): WriterHead {
  const h = readHead.get();
  return h ? { size: h.size, last: h.last_leaf_hash ? new Uint8Array(h.last_leaf_hash) : null } : null;
}

function sameHead(h: WriterHead, size: number, last: Uint8Array | null): boolean {
  if (!h || h.size !== size) return false;
  if (h.last === null || last === null) return h.last === last;
  return Buffer.compare(buf(h.last), buf(last)) === 0;
}

function writeRows(rows: readonly WriterRow[]): void {
  for (const r of rows) insert.run(r.idx, r.data, buf(r.leafHash), r.time, r.kind, r.actor, r.decision);
  const last = rows[rows.length - 1];
  if (last) setHead.run(last.idx + 1, buf(last.leafHash));
}

function handle(m: WriterRequest): unknown {
  switch (m.op) {
    case 'append': {
      db.exec('BEGIN IMMEDIATE');
      const h = currentHead();
      if (!sameHead(h, m.expectSize, m.expectLast)) {
        db.exec('ROLLBACK');
        return { committed: false, head: h };
      }
      writeRows(m.rows);
      db.exec('COMMIT');
      return { committed: true, head: h };
    }
    case 'begin':
      db.exec('BEGIN IMMEDIATE');
      return currentHead();
    case 'commit':
      writeRows(m.rows);
      db.exec('COMMIT');
      return true;
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
