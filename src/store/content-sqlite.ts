/** Sealed content records on SQLite. */
import type Database from 'better-sqlite3';
import { StoreError } from './errors.ts';
import type { ContentRecord, ContentStore } from './content-types.ts';

type Row = { id: string; label: string; created_at: number; sealed: Buffer };

function toRecord(r: Row): ContentRecord {
  return { id: r.id, label: r.label, createdAt: Number(r.created_at), sealed: new Uint8Array(r.sealed) };
}

/**
 * The content store over an open better-sqlite3 handle whose migrations have run.
 * @example const content = createSqliteContentStore(openSqliteStore(path).db)
 */
export function createSqliteContentStore(db: Database.Database): ContentStore {
  const insert = db.prepare('INSERT INTO content_records (id, label, created_at, sealed) VALUES (?, ?, ?, ?)');
  const select = db.prepare('SELECT id, label, created_at, sealed FROM content_records WHERE id = ?');
  const purge = db.prepare('DELETE FROM content_records WHERE created_at < ?');
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
  };
}
