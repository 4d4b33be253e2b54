/** The server store: PostgreSQL through `postgres`, shared by several gateway replicas. */
import postgres from 'postgres';
import { createPostgresCorpusStore } from './corpus-postgres.ts';
import { createPostgresSessionStore } from './sessions-postgres.ts';
import { createPostgresApprovalStore } from './approvals-postgres.ts';
import { createPostgresContentStore } from './content-postgres.ts';
import { StoreError } from './errors.ts';
import { MIGRATIONS } from './migrations.ts';
import type { ApiKeyRecord, EventRecord, EventStore, IdentityStore, Store, UserRecord } from './types.ts';

type Sql = postgres.Sql;
type Row = Record<string, unknown>;

// Replicas may start together: migrations run under this advisory lock so exactly one applies them.
const MIGRATION_LOCK_KEY = 0x656e636c; // "encl"

function iso(v: unknown): string {
  return v instanceof Date ? v.toISOString() : String(v);
}

async function migrate(sql: Sql): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (version INT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`;
    const done = new Set((await tx`SELECT version FROM schema_migrations`).map((r) => Number(r.version)));
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      try {
        await tx.unsafe(m.postgres);
        await tx`INSERT INTO schema_migrations (version, name) VALUES (${m.version}, ${m.name})`;
      } catch (err) {
        throw new StoreError('MIGRATION_FAILED', `PostgreSQL migration ${m.version} (${m.name}) failed`, { cause: err });
      }
    }
  });
}

function toUser(r: Row): UserRecord {
  return {
    id: String(r.id), name: String(r.name), clearance: String(r.clearance), nationality: String(r.nationality),
    roles: r.roles as string[], disabled: r.disabled === true, updatedAt: iso(r.updated_at),
  };
}

function toKey(r: Row): ApiKeyRecord {
  return {
    id: String(r.id), userId: String(r.user_id), hash: String(r.hash), label: String(r.label),
    createdAt: iso(r.created_at), revokedAt: r.revoked_at == null ? null : iso(r.revoked_at),
  };
}

function createIdentities(sql: Sql): IdentityStore {
  return {
    async upsertUser(u) {
      await sql`INSERT INTO users (id, name, clearance, nationality, roles, disabled, updated_at)
        VALUES (${u.id}, ${u.name}, ${u.clearance}, ${u.nationality}, ${sql.json(u.roles)}, ${u.disabled}, ${u.updatedAt})
        ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, clearance = EXCLUDED.clearance,
          nationality = EXCLUDED.nationality, roles = EXCLUDED.roles, disabled = EXCLUDED.disabled, updated_at = EXCLUDED.updated_at`;
    },
    async getUser(id) {
      const [r] = await sql`SELECT * FROM users WHERE id = ${id}`;
      return r ? toUser(r) : undefined;
    },
    async listUsers() {
      return (await sql`SELECT * FROM users ORDER BY id`).map(toUser);
    },
    async insertApiKey(k) {
      try {
        await sql`INSERT INTO api_keys (id, user_id, hash, label, created_at, revoked_at)
          VALUES (${k.id}, ${k.userId}, ${k.hash}, ${k.label}, ${k.createdAt}, ${k.revokedAt})`;
      } catch (err) {
        if ((err as { code?: string }).code === '23505') throw new StoreError('CONFLICT', `API key id ${k.id} already exists`, { cause: err });
        throw err;
      }
    },
    async getApiKey(id) {
      const [r] = await sql`SELECT * FROM api_keys WHERE id = ${id}`;
      return r ? toKey(r) : undefined;
    },
    async listApiKeys(userId) {
      const rows = userId === undefined
        ? await sql`SELECT * FROM api_keys ORDER BY created_at, id`
        : await sql`SELECT * FROM api_keys WHERE user_id = ${userId} ORDER BY created_at, id`;
      return rows.map(toKey);
    },
    async revokeApiKey(id, at) {
      const res = await sql`UPDATE api_keys SET revoked_at = ${at} WHERE id = ${id} AND revoked_at IS NULL`;
      return res.count === 1;
    },
  };
}

function createEvents(sql: Sql): EventStore {
  return {
    async insertEvent(e) {
      await sql`INSERT INTO events (id, at, kind, actor, request_id, data)
        VALUES (${e.id}, ${e.at}, ${e.kind}, ${e.actor}, ${e.requestId}, ${sql.json(e.data as postgres.JSONValue)})`;
    },
    async listEvents(filter = {}) {
      const rows = await sql`SELECT * FROM events WHERE true
        ${filter.kind ? sql`AND kind = ${filter.kind}` : sql``}
        ${filter.actor ? sql`AND actor = ${filter.actor}` : sql``}
        ORDER BY at, id LIMIT ${filter.limit ?? 1000}`;
      return rows.map((r): EventRecord => ({
        id: String(r.id), at: iso(r.at), kind: String(r.kind), actor: r.actor == null ? null : String(r.actor),
        requestId: r.request_id == null ? null : String(r.request_id), data: r.data as Record<string, unknown>,
      }));
    },
  };
}

/** Connects to PostgreSQL at `url` and runs pending migrations. */
export async function openPostgresStore(url: string, options: { maxConnections?: number } = {}): Promise<Store & { readonly sql: Sql }> {
  const sql = postgres(url, { max: options.maxConnections ?? 10, onnotice: () => {}, connect_timeout: 10 });
  try {
    await migrate(sql);
  } catch (err) {
    await sql.end({ timeout: 1 });
    if (err instanceof StoreError) throw err;
    throw new StoreError('UNAVAILABLE', 'cannot reach PostgreSQL', { cause: err });
  }
  return {
    kind: 'postgres',
    sql,
    identities: createIdentities(sql),
    events: createEvents(sql),
    corpus: createPostgresCorpusStore(sql),
    sessions: createPostgresSessionStore(sql),
    approvals: createPostgresApprovalStore(sql),
    content: createPostgresContentStore(sql),
    async ping() { await sql`SELECT 1`; },
    async close() { await sql.end({ timeout: 5 }); },
  };
}
