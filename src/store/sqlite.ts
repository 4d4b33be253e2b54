/** The embedded store: one SQLite file through better-sqlite3, in WAL mode, no server. */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createSqliteCorpusStore } from './corpus-sqlite.ts';
import { createSqliteSessionStore } from './sessions-sqlite.ts';
import { createSqliteApprovalStore } from './approvals-sqlite.ts';
import { createSqliteContentStore } from './content-sqlite.ts';
import { startWalCheckpointer } from './sqlite-checkpointer.ts';
import { StoreError } from './errors.ts';
import { MIGRATIONS } from './migrations.ts';
import type { ApiKeyRecord, EventRecord, EventStore, IdentityStore, Store, UserRecord } from './types.ts';

type Row = Record<string, unknown>;

/**
 * Applies every migration not yet recorded in schema_migrations, each in its own transaction.
 * Versions are tracked one by one, not as a high-water mark: concerns own separate version
 * ranges, so a database may receive a lower-numbered migration after a higher one.
 */
function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const done = new Set((db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version));
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?');
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    try {
      db.transaction(() => {
        // Another process may have applied it since we looked; the write lock makes this check exact.
        if (applied.get(m.version)) return;
        db.exec(m.sqlite);
        record.run(m.version, m.name, new Date().toISOString());
      }).immediate();
    } catch (err) {
      throw new StoreError('MIGRATION_FAILED', `SQLite migration ${m.version} (${m.name}) failed`, { cause: err });
    }
  }
}

function toUser(r: Row): UserRecord {
  return {
    id: String(r.id), name: String(r.name), clearance: String(r.clearance), nationality: String(r.nationality),
    roles: JSON.parse(String(r.roles)) as string[], disabled: r.disabled === 1, updatedAt: String(r.updated_at),
  };
}

function toKey(r: Row): ApiKeyRecord {
  return {
    id: String(r.id), userId: String(r.user_id), hash: String(r.hash), label: String(r.label),
    createdAt: String(r.created_at), revokedAt: r.revoked_at == null ? null : String(r.revoked_at),
  };
}

function createIdentities(db: Database.Database): IdentityStore {
  const upsert = db.prepare(`INSERT INTO users (id, name, clearance, nationality, roles, disabled, updated_at)
    VALUES (@id, @name, @clearance, @nationality, @roles, @disabled, @updatedAt)
    ON CONFLICT(id) DO UPDATE SET name=excluded.name, clearance=excluded.clearance, nationality=excluded.nationality,
      roles=excluded.roles, disabled=excluded.disabled, updated_at=excluded.updated_at`);
  const getUser = db.prepare('SELECT * FROM users WHERE id = ?');
  const listUsers = db.prepare('SELECT * FROM users ORDER BY id');
  const insertKey = db.prepare(`INSERT INTO api_keys (id, user_id, hash, label, created_at, revoked_at)
    VALUES (@id, @userId, @hash, @label, @createdAt, @revokedAt)`);
  const getKey = db.prepare('SELECT * FROM api_keys WHERE id = ?');
  const listKeys = db.prepare('SELECT * FROM api_keys ORDER BY created_at, id');
  const listUserKeys = db.prepare('SELECT * FROM api_keys WHERE user_id = ? ORDER BY created_at, id');
  const revoke = db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
  return {
    async upsertUser(u) {
      upsert.run({ ...u, roles: JSON.stringify(u.roles), disabled: u.disabled ? 1 : 0 });
    },
    async getUser(id) {
      const r = getUser.get(id) as Row | undefined;
      return r ? toUser(r) : undefined;
    },
    async listUsers() {
      return (listUsers.all() as Row[]).map(toUser);
    },
    async insertApiKey(k) {
      try {
        insertKey.run(k);
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
          throw new StoreError('CONFLICT', `API key id ${k.id} already exists`, { cause: err });
        }
        throw err;
      }
    },
    async getApiKey(id) {
      const r = getKey.get(id) as Row | undefined;
      return r ? toKey(r) : undefined;
    },
    async listApiKeys(userId) {
      return ((userId === undefined ? listKeys.all() : listUserKeys.all(userId)) as Row[]).map(toKey);
    },
    async revokeApiKey(id, at) {
      return revoke.run(at, id).changes === 1;
    },
  };
}

function createEvents(db: Database.Database): EventStore {
  const insert = db.prepare(`INSERT INTO events (id, at, kind, actor, request_id, data)
    VALUES (@id, @at, @kind, @actor, @requestId, @data)`);
  return {
    async insertEvent(e) {
      insert.run({ ...e, data: JSON.stringify(e.data) });
    },
    async listEvents(filter = {}) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (filter.kind) { where.push('kind = ?'); args.push(filter.kind); }
      if (filter.actor) { where.push('actor = ?'); args.push(filter.actor); }
      const sql = `SELECT * FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at, id LIMIT ?`;
      const rows = db.prepare(sql).all(...args, filter.limit ?? 1000) as Row[];
      return rows.map((r): EventRecord => ({
        id: String(r.id), at: String(r.at), kind: String(r.kind), actor: r.actor == null ? null : String(r.actor),
        requestId: r.request_id == null ? null : String(r.request_id), data: JSON.parse(String(r.data)) as Record<string, unknown>,
      }));
    },
  };
}

export interface SqliteStoreOptions {
  /** WAL checkpoints on their own thread instead of inside commits (for a long-running gateway). */
  readonly walCheckpointer?: boolean;
  /** Background failures (a WAL checkpoint that failed). */
  readonly onError?: (message: string) => void;
}

/** Opens (creating if needed) a SQLite store at `path`, or in memory for ':memory:'. */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Store & { readonly db: Database.Database } {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // NORMAL is durable across process crashes in WAL mode; FULL adds power-loss durability.
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);
  const checkpointer = options.walCheckpointer && !db.memory ? startWalCheckpointer(db, { ...(options.onError ? { onError: options.onError } : {}) }) : undefined;
  const content = createSqliteContentStore(db);
  return {
    kind: 'sqlite',
    db,
    identities: createIdentities(db),
    events: createEvents(db),
    corpus: createSqliteCorpusStore(db),
    sessions: createSqliteSessionStore(db),
    approvals: createSqliteApprovalStore(db),
    content,
    async ping() { db.prepare('SELECT 1').get(); },
    async close() {
      content.close();
      await checkpointer?.close();
      db.close();
    },
  };
}
