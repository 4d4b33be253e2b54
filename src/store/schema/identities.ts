/** Tables for principals and API keys. */
import type { Migration } from '../migrations.ts';

export const IDENTITY_MIGRATIONS: readonly Migration[] = [
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
];
