/** The generic event table (start-up, key changes) used until the audit log records them. */
import type { Migration } from '../migrations.ts';

export const EVENT_MIGRATIONS: readonly Migration[] = [
  {
    version: 2,
    name: 'events',
    sqlite: `
      CREATE TABLE events (
        id TEXT PRIMARY KEY, at TEXT NOT NULL, kind TEXT NOT NULL, actor TEXT, request_id TEXT,
        data TEXT NOT NULL);
      CREATE INDEX events_kind_at ON events(kind, at);`,
    postgres: `
      CREATE TABLE events (
        id TEXT PRIMARY KEY, at TIMESTAMPTZ NOT NULL, kind TEXT NOT NULL, actor TEXT, request_id TEXT,
        data JSONB NOT NULL);
      CREATE INDEX events_kind_at ON events(kind, at);`,
  },
];
