/**
 * Schema migrations, in order, per dialect. A migration is never edited once shipped: add a
 * new one. Both dialects keep the same tables so the contract suite means the same thing.
 */

export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'identities',
    sqlite: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, clearance TEXT NOT NULL, nationality TEXT NOT NULL,
        roles TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL);
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY, user_id TEXT NOT NULL, hash TEXT NOT NULL, label TEXT NOT NULL,
        created_at TEXT NOT NULL, revoked_at TEXT);
      CREATE INDEX api_keys_user ON api_keys(user_id);`,
    postgres: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, clearance TEXT NOT NULL, nationality TEXT NOT NULL,
        roles JSONB NOT NULL, disabled BOOLEAN NOT NULL DEFAULT false, updated_at TIMESTAMPTZ NOT NULL);
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY, user_id TEXT NOT NULL, hash TEXT NOT NULL, label TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL, revoked_at TIMESTAMPTZ);
      CREATE INDEX api_keys_user ON api_keys(user_id);`,
  },
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
