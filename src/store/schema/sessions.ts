/** Tables for console sessions (console part). Versions 30..39 are reserved for this concern. */
import type { Migration } from '../migrations.ts';

/**
 * Sessions are keyed by the SHA-256 of the cookie's secret, so a copy of the table cannot be
 * replayed as cookies. Times are epoch milliseconds, compared in SQL for the idle and absolute
 * limits. A login in progress (OIDC state, PKCE verifier, nonce) lives in console_logins until its
 * callback takes it, once, so any replica can finish a login another one started.
 */
export const SESSION_MIGRATIONS: readonly Migration[] = [
  {
    version: 30,
    name: 'console_sessions',
    sqlite: `
      CREATE TABLE console_sessions (
        id_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, principal TEXT NOT NULL, csrf_token TEXT NOT NULL,
        created_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL,
        idle_expires_at INTEGER NOT NULL, absolute_expires_at INTEGER NOT NULL);
      CREATE INDEX console_sessions_user ON console_sessions(user_id);
      CREATE INDEX console_sessions_expiry ON console_sessions(idle_expires_at);
      CREATE TABLE console_logins (
        state_hash TEXT PRIMARY KEY, verifier TEXT NOT NULL, nonce TEXT NOT NULL, return_to TEXT NOT NULL,
        expires_at INTEGER NOT NULL);`,
    postgres: `
      CREATE TABLE console_sessions (
        id_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, principal TEXT NOT NULL, csrf_token TEXT NOT NULL,
        created_at BIGINT NOT NULL, last_seen_at BIGINT NOT NULL,
        idle_expires_at BIGINT NOT NULL, absolute_expires_at BIGINT NOT NULL);
      CREATE INDEX console_sessions_user ON console_sessions(user_id);
      CREATE INDEX console_sessions_expiry ON console_sessions(idle_expires_at);
      CREATE TABLE console_logins (
        state_hash TEXT PRIMARY KEY, verifier TEXT NOT NULL, nonce TEXT NOT NULL, return_to TEXT NOT NULL,
        expires_at BIGINT NOT NULL);`,
  },
];
