/** Tables for sealed content at rest (audit retention). Versions 40..49 are reserved for this concern. */
import type { Migration } from '../migrations.ts';

/**
 * One row per sealed record: the ciphertext as a blob, its label and id in clear (they are the
 * associated data, needed to open it), and the creation time in epoch milliseconds, indexed so the
 * retention purge is a range delete.
 */
export const CONTENT_MIGRATIONS: readonly Migration[] = [
  {
    version: 40,
    name: 'content_records',
    sqlite: `
      CREATE TABLE content_records (
        id TEXT PRIMARY KEY, label TEXT NOT NULL, created_at INTEGER NOT NULL, sealed BLOB NOT NULL);
      CREATE INDEX content_records_created ON content_records(created_at);`,
    postgres: `
      CREATE TABLE content_records (
        id TEXT PRIMARY KEY, label TEXT NOT NULL, created_at BIGINT NOT NULL, sealed BYTEA NOT NULL);
      CREATE INDEX content_records_created ON content_records(created_at);`,
  },
];
