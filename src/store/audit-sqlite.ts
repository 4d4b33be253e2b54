/**
 * The audit log on SQLite: each append is one `BEGIN IMMEDIATE` transaction that reads the
 * single-row head, numbers the batch, inserts it and moves the head, so a crash leaves no gap.
 * The connection runs in WAL mode with synchronous=FULL: a commit is on disk when it returns.
 * For a database file the writes go through a worker thread's connection (audit-sqlite-writer.ts)
 * so the fsync never blocks the event loop; reads stay on the caller's connection.
 */
import type Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';
import { StoreError } from './errors.ts';
import type { WriterCall, WriterHead, WriterReply, WriterRow } from './audit-sqlite-writer.ts';
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

/** The write connection on a worker thread, one transaction at a time; ref'd only while a call is pending. */
class SqliteWriter {
  private worker: Worker | undefined;
  private next = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  private lock: Promise<unknown> = Promise.resolve();

  /** `autocheckpoint` reads the main connection's wal_autocheckpoint, which the writer copies. */
  constructor(private readonly path: string, private readonly autocheckpoint: () => number) {}

  private start(): Worker {
    // Workers do not inherit tsx's loader: register it in the worker, then load the module.
    const tsx = import.meta.resolve('tsx/esm/api');
    const module = new URL('./audit-sqlite-writer.ts', import.meta.url).href;
    const code = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(module)}); })
      .catch((err) => { process.stderr.write(String((err && err.stack) || err)); process.exit(70); });`;
    const w = new Worker(code, { eval: true, workerData: { path: this.path, autocheckpoint: this.autocheckpoint() } });
    w.unref();
    w.on('message', (m: WriterReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) w.unref();
      if (m.ok) p.resolve(m.value);
      else p.reject(Object.assign(new Error(m.message), m.code ? { code: m.code } : {}));
    });
    const fail = (err: unknown) => {
      if (this.worker === w) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(new StoreError('UNAVAILABLE', 'the audit writer thread stopped; nothing pending was committed', { cause: err }));
      this.pending.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`exit ${code}`)));
    return w;
  }

  private call(request: WriterCall): Promise<unknown> {
    const w = (this.worker ??= this.start());
    const id = this.next++;
    w.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ ...request, id });
    });
  }

  /** Runs `fn` holding this writer: transactions from several logs on one store never interleave. */
  exclusive<T>(fn: (call: (r: WriterCall) => Promise<unknown>) => Promise<T>): Promise<T> {
    const run = this.lock.then(() => fn((r) => this.call(r)));
    this.lock = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.lock;
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }
}

/** Optimistic appends tried before falling back to holding the write lock across the build. */
const OPTIMISTIC_ATTEMPTS = 2;

/** The builder numbers from the head it was given; anything else would open a gap. */
function toWriterRows(batch: readonly AuditEntryRecord[], h: AuditHeadRecord): WriterRow[] {
  return batch.map((e, i) => {
    if (e.index !== h.size + i) throw new StoreError('CONFLICT', `audit entry ${e.index} does not continue the log at ${h.size + i}`);
    // A copy the size of the hash: a hash may view a pooled 8 KiB buffer, which postMessage would clone whole.
    return { idx: e.index, data: e.data, leafHash: new Uint8Array(e.leafHash), time: e.time, kind: e.kind, actor: e.actor, decision: e.decision };
  });
}

function conflictOrRethrow(err: unknown): never {
  if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new StoreError('CONFLICT', 'an audit entry with this index already exists', { cause: err });
  throw err;
}

/**
 * The audit store over an open better-sqlite3 handle whose migrations have run. `close()` stops
 * the writer thread (the caller still closes `db`).
 * @example const audit = createSqliteAuditStore(openSqliteStore(path).db)
 */
export function createSqliteAuditStore(db: Database.Database): AuditEntryStore & { close(): Promise<void> } {
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

  // With a WAL checkpoint thread running (sqlite-checkpointer.ts) the writer must not checkpoint either.
  const writer = db.memory ? undefined : new SqliteWriter(db.name, () => Number(db.pragma('wal_autocheckpoint', { simple: true })));

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
    async append(build) {
      if (!writer) {
        // In memory there is no fsync to move off the loop; one yield still lets a batch form.
        await new Promise<void>((resolve) => setImmediate(resolve));
        return append.immediate(build);
      }
      return writer.exclusive(async (call) => {
        // Optimistic first: number the batch from the head as this connection reads it (in WAL mode
        // the latest commit) and let the writer check it inside the transaction: one round trip.
        let h = head();
        for (let attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
          const rows = toWriterRows(build(h), h);
          const r = (await call({ op: 'append', expectSize: h.size, expectLast: h.lastLeafHash && new Uint8Array(h.lastLeafHash), rows }).catch(conflictOrRethrow)) as { committed: boolean; head: WriterHead };
          if (r.committed) return h;
          if (!r.head) throw new StoreError('MIGRATION_FAILED', 'audit_head row is missing');
          h = { size: r.head.size, lastLeafHash: r.head.last };
        }
        // Another process keeps winning the race: hold the write lock across the build instead.
        const raw = (await call({ op: 'begin' })) as WriterHead;
        if (!raw) throw new StoreError('MIGRATION_FAILED', 'audit_head row is missing');
        h = { size: raw.size, lastLeafHash: raw.last };
        let rows;
        try {
          rows = toWriterRows(build(h), h);
        } catch (err) {
          await call({ op: 'rollback' });
          throw err;
        }
        await call({ op: 'commit', rows }).catch(conflictOrRethrow);
        return h;
      });
    },
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
    async addCheckpoint(cp) {
      if (!writer) return addCheckpoint.immediate(cp);
      const checkpoint = { size: cp.size, root: cp.rootHash, note: cp.note, frontier: new Uint8Array(joinHashes(cp.frontier)), createdAt: cp.createdAt };
      return writer.exclusive(async (call) => (await call({ op: 'checkpoint', checkpoint })) as boolean);
    },
    close: async () => writer?.close(),
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
