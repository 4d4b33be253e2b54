/** Sealed content records on SQLite. */
import Database from 'better-sqlite3';
import { StoreError } from './errors.ts';
import type { ContentRecord, ContentStore } from './content-types.ts';

type Row = { id: string; label: string; created_at: number; sealed: Buffer };

function toRecord(r: Row): ContentRecord {
  return { id: r.id, label: r.label, createdAt: Number(r.created_at), sealed: new Uint8Array(r.sealed) };
}

/**
 * The content store over an open better-sqlite3 handle whose migrations have run.
 *
 * Writes go through a second connection with synchronous=NORMAL: no fsync of its own on the event
 * loop for every request. That is still durable where it matters: a record is written before the
 * audit entry that names it, both land in the one WAL file in that order, and the entry's commit
 * (synchronous=FULL) fsyncs the file, earlier frames included; a checkpoint syncs the WAL before it
 * copies it. So an acknowledged entry never names a record that a crash lost.
 * @example const content = createSqliteContentStore(openSqliteStore(path).db)
 */
export function createSqliteContentStore(db: Database.Database): ContentStore & { close(): void } {
  const writer = db.memory ? db : openWriter(db);
  const insert = writer.prepare('INSERT INTO content_records (id, label, created_at, sealed) VALUES (?, ?, ?, ?)');
  const select = db.prepare('SELECT id, label, created_at, sealed FROM content_records WHERE id = ?');
  const purge = writer.prepare('DELETE FROM content_records WHERE created_at < ?');
  return {
    async put(r) {
      try {
        insert.run(r.id, r.label, r.createdAt, Buffer.from(r.sealed.buffer, r.sealed.byteOffset, r.sealed.byteLength));
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new StoreError('CONFLICT', `content record ${r.id} already exists`, { cause: err });
        throw err;
      }
    },
    async get(id) {
      const r = select.get(id) as Row | undefined;
      return r ? toRecord(r) : undefined;
    },
    async deleteOlderThan(before) {
      return purge.run(before).changes;
    },
    close() {
      if (writer !== db && writer.open) writer.close();
    },
  };
}

function openWriter(db: Database.Database): Database.Database {
  const writer = new Database(db.name);
  writer.pragma('synchronous = NORMAL');
  writer.pragma('busy_timeout = 5000');
  // Same checkpoint regime as the main connection (off when a checkpoint thread runs).
  writer.pragma(`wal_autocheckpoint = ${Number(db.pragma('wal_autocheckpoint', { simple: true }))}`);
  return writer;
}
