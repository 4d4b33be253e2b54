/** Console sessions on SQLite: conditional writes with RETURNING, so a touch is one statement. */
import type Database from 'better-sqlite3';
import { StoreError } from './errors.ts';
import type { LoginRecord, SessionRecord, SessionStore } from './sessions-types.ts';

type Row = Record<string, unknown>;

function toSession(r: Row): SessionRecord {
  return {
    idHash: String(r.id_hash), userId: String(r.user_id), principal: String(r.principal), csrfToken: String(r.csrf_token),
    createdAt: Number(r.created_at), lastSeenAt: Number(r.last_seen_at),
    idleExpiresAt: Number(r.idle_expires_at), absoluteExpiresAt: Number(r.absolute_expires_at),
  };
}

function toLogin(r: Row): LoginRecord {
  return { stateHash: String(r.state_hash), verifier: String(r.verifier), nonce: String(r.nonce), returnTo: String(r.return_to), expiresAt: Number(r.expires_at) };
}

/**
 * The session store over an open better-sqlite3 handle whose migrations have run.
 * @example const sessions = createSqliteSessionStore(openSqliteStore(path).db)
 */
export function createSqliteSessionStore(db: Database.Database): SessionStore {
  const insert = db.prepare(`INSERT INTO console_sessions (id_hash, user_id, principal, csrf_token, created_at, last_seen_at, idle_expires_at, absolute_expires_at)
    VALUES (@idHash, @userId, @principal, @csrfToken, @createdAt, @lastSeenAt, @idleExpiresAt, @absoluteExpiresAt)`);
  const touch = db.prepare(`UPDATE console_sessions SET last_seen_at = @now, idle_expires_at = MIN(@now + @idleMs, absolute_expires_at)
    WHERE id_hash = @idHash AND idle_expires_at > @now AND absolute_expires_at > @now RETURNING *`);
  const remove = db.prepare('DELETE FROM console_sessions WHERE id_hash = ?');
  const removeUser = db.prepare('DELETE FROM console_sessions WHERE user_id = ?');
  const purgeSessions = db.prepare('DELETE FROM console_sessions WHERE idle_expires_at <= @now OR absolute_expires_at <= @now');
  const purgeLogins = db.prepare('DELETE FROM console_logins WHERE expires_at <= @now');
  const saveLogin = db.prepare(`INSERT INTO console_logins (state_hash, verifier, nonce, return_to, expires_at)
    VALUES (@stateHash, @verifier, @nonce, @returnTo, @expiresAt)`);
  const takeLogin = db.prepare('DELETE FROM console_logins WHERE state_hash = ? RETURNING *');
  return {
    async createSession(s) {
      try {
        insert.run(s);
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new StoreError('CONFLICT', 'session id already exists', { cause: err });
        throw err;
      }
    },
    async touchSession(idHash, now, idleMs) {
      const r = touch.get({ idHash, now, idleMs }) as Row | undefined;
      return r ? toSession(r) : undefined;
    },
    async deleteSession(idHash) {
      return remove.run(idHash).changes > 0;
    },
    async deleteUserSessions(userId) {
      return removeUser.run(userId).changes;
    },
    async purgeExpired(now) {
      return db.transaction(() => purgeSessions.run({ now }).changes + purgeLogins.run({ now }).changes)();
    },
    async saveLogin(l) {
      try {
        saveLogin.run(l);
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new StoreError('CONFLICT', 'login state already exists', { cause: err });
        throw err;
      }
    },
    async takeLogin(stateHash, now) {
      const r = takeLogin.get(stateHash) as Row | undefined;
      if (!r) return undefined;
      const login = toLogin(r);
      return login.expiresAt > now ? login : undefined;
    },
  };
}
