/** Sealed content records on PostgreSQL, shared by every replica. */
import type postgres from 'postgres';
import { StoreError } from './errors.ts';
import type { ContentRecord, ContentStore } from './content-types.ts';

type Row = Record<string, unknown>;

function toRecord(r: Row): ContentRecord {
  const b = r.sealed as Buffer;
  return { id: String(r.id), label: String(r.label), createdAt: Number(r.created_at), sealed: new Uint8Array(b) };
}

/**
 * The content store over a `postgres` connection pool whose migrations have run.
 * @example const content = createPostgresContentStore((await openPostgresStore(url)).sql)
 */
export function createPostgresContentStore(sql: postgres.Sql): ContentStore {
  return {
    async put(r) {
      try {
        await sql`INSERT INTO content_records (id, label, created_at, sealed)
          VALUES (${r.id}, ${r.label}, ${r.createdAt}, ${Buffer.from(r.sealed.buffer, r.sealed.byteOffset, r.sealed.byteLength)})`;
      } catch (err) {
        if ((err as { code?: string }).code === '23505') throw new StoreError('CONFLICT', `content record ${r.id} already exists`, { cause: err });
        throw err;
      }
    },
    async get(id) {
      const [r] = await sql`SELECT id, label, created_at, sealed FROM content_records WHERE id = ${id}`;
      return r ? toRecord(r) : undefined;
    },
    async deleteOlderThan(before) {
      return (await sql`DELETE FROM content_records WHERE created_at < ${before}`).count;
    },
  };
}
