/** Console sessions on PostgreSQL: shared by every replica, each write one conditional statement. */
import type postgres from 'postgres';
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

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === '23505';
}

/**
 * The session store over a `postgres` connection pool whose migrations have run.
 * @example const sessions = createPostgresSessionStore((await openPostgresStore(url)).sql)
 */
export function createPostgresSessionStore(sql: postgres.Sql): SessionStore {
  return {
    async createSession(s) {
      try {
        await sql`INSERT INTO console_sessions (id_hash, user_id, principal, csrf_token, created_at, last_seen_at, idle_expires_at, absolute_expires_at)
          VALUES (${s.idHash}, ${s.userId}, ${s.principal}, ${s.csrfToken}, ${s.createdAt}, ${s.lastSeenAt}, ${s.idleExpiresAt}, ${s.absoluteExpiresAt})`;
      } catch (err) {
        if (isUniqueViolation(err)) throw new StoreError('CONFLICT', 'session id already exists', { cause: err });
        throw err;
      }
    },
    async touchSession(idHash, now, idleMs) {
      const [r] = await sql`UPDATE console_sessions SET last_seen_at = ${now},
          idle_expires_at = LEAST(${now}::bigint + ${idleMs}::bigint, absolute_expires_at)
        WHERE id_hash = ${idHash} AND idle_expires_at > ${now} AND absolute_expires_at > ${now} RETURNING *`;
      return r ? toSession(r) : undefined;
    },
    async deleteSession(idHash) {
      return (await sql`DELETE FROM console_sessions WHERE id_hash = ${idHash}`).count > 0;
    },
    async deleteUserSessions(userId) {
      return (await sql`DELETE FROM console_sessions WHERE user_id = ${userId}`).count;
    },
    async purgeExpired(now) {
      return sql.begin(async (tx) => {
        const a = await tx`DELETE FROM console_sessions WHERE idle_expires_at <= ${now} OR absolute_expires_at <= ${now}`;
        const b = await tx`DELETE FROM console_logins WHERE expires_at <= ${now}`;
        return a.count + b.count;
      });
    },
    async saveLogin(l) {
      try {
        await sql`INSERT INTO console_logins (state_hash, verifier, nonce, return_to, expires_at)
          VALUES (${l.stateHash}, ${l.verifier}, ${l.nonce}, ${l.returnTo}, ${l.expiresAt})`;
      } catch (err) {
        if (isUniqueViolation(err)) throw new StoreError('CONFLICT', 'login state already exists', { cause: err });
        throw err;
      }
    },
    async takeLogin(stateHash, now) {
      const [r] = await sql`DELETE FROM console_logins WHERE state_hash = ${stateHash} RETURNING *`;
      if (!r) return undefined;
      const login = toLogin(r);
      return login.expiresAt > now ? login : undefined;
    },
  };
}
