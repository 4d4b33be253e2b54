/**
 * The audit log on PostgreSQL, shared by every replica: an append locks the single-row head
 * (`FOR UPDATE`), so replicas queue on it; numbers its batch from the head it read; inserts
 * (idx is the primary key, so a duplicate aborts the transaction) and moves the head.
 */
import type postgres from 'postgres';
import { StoreError } from './errors.ts';
import {
  AUDIT_CHECKPOINT_PAGE, AUDIT_ENTRY_PAGE, AUDIT_HASH_PAGE, joinHashes, splitFrontier,
  type AuditCheckpointRecord, type AuditEntryRecord, type AuditEntryStore, type AuditHeadRecord, type AuditSearchFilter,
} from './audit-types.ts';

type Row = Record<string, unknown>;

// Serialization failures and deadlocks are safe to retry: the transaction wrote nothing.
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;
// Rows per INSERT statement: 7 parameters each, well under PostgreSQL's 65,535.
const INSERT_CHUNK = 1000;

const u8 = (v: unknown): Uint8Array => {
  const b = v as Buffer;
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
};
const buf = (h: Uint8Array): Buffer => Buffer.from(h.buffer, h.byteOffset, h.byteLength);

function toEntry(r: Row): AuditEntryRecord {
  return {
    index: Number(r.idx), data: String(r.data), leafHash: u8(r.leaf_hash), time: String(r.time),
    kind: String(r.kind), actor: String(r.actor), decision: r.decision == null ? null : String(r.decision),
  };
}

function toCheckpoint(r: Row): AuditCheckpointRecord {
  const root = u8(r.root);
  return { size: Number(r.size), rootHash: root, note: String(r.note), frontier: splitFrontier(u8(r.frontier), root.length), createdAt: String(r.created_at) };
}

function toHead(r: Row | undefined): AuditHeadRecord {
  if (!r) throw new StoreError('MIGRATION_FAILED', 'audit_head row is missing');
  return { size: Number(r.size), lastLeafHash: r.last_leaf_hash == null ? null : u8(r.last_leaf_hash) };
}

/**
 * The audit store over a `postgres` connection pool whose migrations have run.
 * @example const audit = createPostgresAuditStore((await openPostgresStore(url)).sql)
 */
export function createPostgresAuditStore(sql: postgres.Sql): AuditEntryStore {
  async function appendOnce(build: (h: AuditHeadRecord) => AuditEntryRecord[]): Promise<AuditHeadRecord> {
    return sql.begin(async (tx) => {
      const [row] = await tx`SELECT size, last_leaf_hash FROM audit_head WHERE id = 1 FOR UPDATE`;
      const h = toHead(row);
      const batch = build(h);
      const rows = batch.map((e, i) => {
        if (e.index !== h.size + i) throw new StoreError('CONFLICT', `audit entry ${e.index} does not continue the log at ${h.size + i}`);
        return { idx: e.index, data: e.data, leaf_hash: buf(e.leafHash), time: e.time, kind: e.kind, actor: e.actor, decision: e.decision };
      });
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        await tx`INSERT INTO audit_entries ${tx(rows.slice(i, i + INSERT_CHUNK), 'idx', 'data', 'leaf_hash', 'time', 'kind', 'actor', 'decision')}`;
      }
      const last = batch[batch.length - 1];
      if (last) await tx`UPDATE audit_head SET size = ${h.size + batch.length}, last_leaf_hash = ${buf(last.leafHash)} WHERE id = 1`;
      return h;
    });
  }

  return {
    async append(build) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await appendOnce(build);
        } catch (err) {
          const code = (err as { code?: string }).code;
          if (code === '23505') throw new StoreError('CONFLICT', 'an audit entry with this index already exists', { cause: err });
          if (!code || !RETRYABLE.has(code) || attempt >= MAX_ATTEMPTS) throw err;
        }
      }
    },
    async head() {
      const [row] = await sql`SELECT size, last_leaf_hash FROM audit_head WHERE id = 1`;
      return toHead(row);
    },
    async *readEntries(from, to) {
      for (let i = from; i < to; ) {
        const rows = await sql`SELECT * FROM audit_entries WHERE idx >= ${i} AND idx < ${to} ORDER BY idx LIMIT ${AUDIT_ENTRY_PAGE}`;
        if (rows.length === 0) return;
        yield rows.map(toEntry);
        i = Number(rows[rows.length - 1]!.idx) + 1;
      }
    },
    async *readLeafHashes(from, to) {
      for (let i = from; i < to; i += AUDIT_HASH_PAGE) {
        const rows = await sql`SELECT leaf_hash FROM audit_entries WHERE idx >= ${i} AND idx < ${Math.min(to, i + AUDIT_HASH_PAGE)} ORDER BY idx`;
        if (rows.length === 0) return;
        yield u8(Buffer.concat(rows.map((r) => r.leaf_hash as Buffer)));
      }
    },
    async *searchEntries(f: AuditSearchFilter) {
      let left = f.limit ?? Number.POSITIVE_INFINITY;
      let after = -1;
      while (left > 0) {
        const rows = await sql`SELECT * FROM audit_entries WHERE idx > ${after}
          ${f.actor !== undefined ? sql`AND actor = ${f.actor}` : sql``}
          ${f.decision !== undefined ? sql`AND decision = ${f.decision}` : sql``}
          ${f.kind !== undefined ? sql`AND kind = ${f.kind}` : sql``}
          ${f.since !== undefined ? sql`AND time >= ${f.since}` : sql``}
          ${f.until !== undefined ? sql`AND time <= ${f.until}` : sql``}
          ORDER BY idx LIMIT ${Math.min(left, AUDIT_ENTRY_PAGE)}`;
        if (rows.length === 0) return;
        yield rows.map(toEntry);
        left -= rows.length;
        after = Number(rows[rows.length - 1]!.idx);
      }
    },
    async addCheckpoint(cp) {
      return sql.begin(async (tx) => {
        // Concurrent signers serialise here, so sizes are stored strictly increasing.
        await tx`LOCK TABLE audit_checkpoints IN SHARE ROW EXCLUSIVE MODE`;
        const [max] = await tx`SELECT MAX(size) AS m FROM audit_checkpoints`;
        const [row] = await tx`SELECT size FROM audit_head WHERE id = 1`;
        if ((max?.m != null && cp.size <= Number(max.m)) || cp.size > Number(row?.size ?? 0)) return false;
        await tx`INSERT INTO audit_checkpoints (size, root, note, frontier, created_at)
          VALUES (${cp.size}, ${buf(cp.rootHash)}, ${cp.note}, ${joinHashes(cp.frontier)}, ${cp.createdAt})`;
        return true;
      });
    },
    async latestCheckpoint() {
      const [r] = await sql`SELECT * FROM audit_checkpoints ORDER BY size DESC LIMIT 1`;
      return r ? toCheckpoint(r) : null;
    },
    async *listCheckpoints() {
      for (let after = -1; ; ) {
        const rows = await sql`SELECT * FROM audit_checkpoints WHERE size > ${after} ORDER BY size LIMIT ${AUDIT_CHECKPOINT_PAGE}`;
        if (rows.length === 0) return;
        yield rows.map(toCheckpoint);
        after = Number(rows[rows.length - 1]!.size);
      }
    },
  };
}
