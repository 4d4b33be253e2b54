/**
 * The approvals store on PostgreSQL, shared by replicas. A vote locks its request row
 * (SELECT ... FOR UPDATE) for the length of its transaction, so votes on one request are
 * counted one at a time; every other transition is a single conditional UPDATE.
 */
import type postgres from 'postgres';
import type {
  ApprovalListFilter, ApprovalRecord, ApprovalStore, ApprovalVote, NewApprovalRequest, SigningKeyRecord, VoteOutcome,
} from './approvals-types.ts';
import { StoreError } from './errors.ts';

type Sql = postgres.Sql;
type Tx = postgres.TransactionSql;
type Row = Record<string, unknown>;

const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));
const isoOrNull = (v: unknown): string | null => (v == null ? null : iso(v));
const strOrNull = (v: unknown): string | null => (v == null ? null : String(v));

function toVote(r: Row): ApprovalVote {
  return { approver: String(r.approver), reason: String(r.reason), totp: r.totp === true, at: iso(r.at) };
}

function toRecord(r: Row, votes: ApprovalVote[]): ApprovalRecord {
  return {
    id: String(r.id), kind: r.kind as ApprovalRecord['kind'], status: r.status as ApprovalRecord['status'],
    requester: String(r.requester), target: String(r.target), argumentsJson: String(r.arguments_json),
    argumentsSha256: String(r.arguments_sha256), justification: String(r.justification), effect: r.effect as ApprovalRecord['effect'],
    approvalsRequired: Number(r.approvals_required), approverRoles: r.approver_roles as string[], totpRequired: r.totp_required === true,
    policyIds: r.policy_ids as string[], reasons: r.reasons as string[], policyContext: r.policy_context as Record<string, unknown>,
    requestId: strOrNull(r.request_id), createdAt: iso(r.created_at), expiresAt: iso(r.expires_at), decidedAt: isoOrNull(r.decided_at),
    rejectedBy: strOrNull(r.rejected_by), rejectReason: strOrNull(r.reject_reason), executor: strOrNull(r.executor),
    claimedAt: isoOrNull(r.claimed_at), claimDeadline: isoOrNull(r.claim_deadline), finishedAt: isoOrNull(r.finished_at),
    result: (r.result ?? null) as Record<string, unknown> | null, error: strOrNull(r.error), receiptSha256: strOrNull(r.receipt_sha256), votes,
  };
}

function clampLimit(limit: number | undefined, fallback: number): number {
  return Math.max(1, Math.min(500, Math.floor(limit ?? fallback)));
}

async function read(q: Sql | Tx, id: string, lock = false): Promise<ApprovalRecord | undefined> {
  const [row] = lock
    ? await q`SELECT * FROM approval_requests WHERE id = ${id} FOR UPDATE`
    : await q`SELECT * FROM approval_requests WHERE id = ${id}`;
  if (!row) return undefined;
  const votes = await q`SELECT * FROM approval_votes WHERE approval_id = ${id} ORDER BY at, approver`;
  return toRecord(row, votes.map(toVote));
}

async function readAll(q: Sql, rows: readonly Row[]): Promise<ApprovalRecord[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => String(r.id));
  const [requests, votes] = await Promise.all([
    q`SELECT * FROM approval_requests WHERE id IN ${q(ids)}`,
    q`SELECT * FROM approval_votes WHERE approval_id IN ${q(ids)} ORDER BY at, approver`,
  ]);
  const byId = new Map(requests.map((r) => [String(r.id), r]));
  return ids.flatMap((id) => {
    const r = byId.get(id);
    return r ? [toRecord(r, votes.filter((v) => v.approval_id === id).map(toVote))] : [];
  });
}

/**
 * Builds the approvals store over a postgres.js pool whose migrations have run
 * (openPostgresStore runs them).
 * @example const approvals = createPostgresApprovalStore((await openPostgresStore(url)).sql)
 */
export function createPostgresApprovalStore(sql: Sql): ApprovalStore {
  const json = (v: unknown) => sql.json(v as postgres.JSONValue);
  return {
    async createRequest(r: NewApprovalRequest) {
      try {
        await sql.begin(async (tx) => {
          await tx`INSERT INTO approval_requests (id, kind, status, requester, target, arguments_json, arguments_sha256,
              justification, effect, approvals_required, approver_roles, totp_required, policy_ids, reasons, policy_context,
              request_id, created_at, expires_at, decided_at)
            VALUES (${r.id}, ${r.kind}, ${r.status}, ${r.requester}, ${r.target}, ${r.argumentsJson}, ${r.argumentsSha256},
              ${r.justification}, ${r.effect}, ${r.approvalsRequired}, ${json(r.approverRoles)}, ${r.totpRequired},
              ${json(r.policyIds)}, ${json(r.reasons)}, ${json(r.policyContext)}, ${r.requestId}, ${r.createdAt}, ${r.expiresAt},
              ${r.status === 'approved' ? r.createdAt : null})`;
          for (const role of new Set(r.approverRoles)) {
            await tx`INSERT INTO approval_request_roles (approval_id, role) VALUES (${r.id}, ${role})`;
          }
        });
      } catch (err) {
        if ((err as { code?: string }).code === '23505') throw new StoreError('CONFLICT', `approval ${r.id} already exists`, { cause: err });
        throw err;
      }
    },
    async getRequest(id) {
      return read(sql, id);
    },
    async listRequests(filter: ApprovalListFilter = {}) {
      const v = filter.visibleTo;
      const rows = await sql`SELECT id FROM approval_requests WHERE true
        ${filter.status ? sql`AND status = ${filter.status}` : sql``}
        ${filter.kind ? sql`AND kind = ${filter.kind}` : sql``}
        ${filter.before ? sql`AND created_at < ${filter.before}` : sql``}
        ${v ? (v.roles.length
          ? sql`AND (requester = ${v.userId} OR id IN (SELECT approval_id FROM approval_request_roles WHERE role IN ${sql([...v.roles])}))`
          : sql`AND requester = ${v.userId}`) : sql``}
        ORDER BY created_at DESC, id DESC LIMIT ${clampLimit(filter.limit, 50)}`;
      return readAll(sql, rows);
    },
    async castVote(v): Promise<VoteOutcome> {
      return sql.begin(async (tx): Promise<VoteOutcome> => {
        const current = await read(tx, v.approvalId, true);
        if (!current) return { outcome: 'not_found' };
        if (current.status !== 'pending') return { outcome: 'not_pending', record: current };
        if (current.expiresAt <= v.at) {
          const res = await tx`UPDATE approval_requests SET status = 'expired', decided_at = ${v.at} WHERE id = ${v.approvalId} AND status = 'pending'`;
          return { outcome: 'expired', record: (await read(tx, v.approvalId))!, transitioned: res.count === 1 };
        }
        if (current.requester === v.approver) return { outcome: 'self', record: current };
        if (current.votes.some((x) => x.approver === v.approver)) return { outcome: 'duplicate', record: current };
        await tx`INSERT INTO approval_votes (approval_id, approver, reason, totp, at) VALUES (${v.approvalId}, ${v.approver}, ${v.reason}, ${v.totp}, ${v.at})`;
        if (current.votes.length + 1 >= current.approvalsRequired) {
          const res = await tx`UPDATE approval_requests SET status = 'approved', decided_at = ${v.at} WHERE id = ${v.approvalId} AND status = 'pending'`;
          if (res.count === 1) return { outcome: 'approved', record: (await read(tx, v.approvalId))! };
        }
        return { outcome: 'recorded', record: (await read(tx, v.approvalId))! };
      });
    },
    async reject(input) {
      const res = await sql`UPDATE approval_requests SET status = 'rejected', decided_at = ${input.at}, rejected_by = ${input.by},
          reject_reason = ${input.reason}
        WHERE id = ${input.id} AND status = 'pending' AND expires_at > ${input.at}`;
      return res.count === 1;
    },
    async expireDue(now, limit) {
      // SKIP LOCKED: a request a vote is holding is left for the next sweep rather than waited on.
      const rows = await sql`UPDATE approval_requests SET status = 'expired', decided_at = COALESCE(decided_at, ${now})
        WHERE id IN (SELECT id FROM approval_requests WHERE expires_at <= ${now}
          AND (status = 'pending' OR (status = 'approved' AND kind = 'action'))
          ORDER BY expires_at LIMIT ${clampLimit(limit, 100)} FOR UPDATE SKIP LOCKED)
          AND (status = 'pending' OR status = 'approved')
        RETURNING id`;
      return readAll(sql, rows);
    },
    async claimExecution(input) {
      const rows = await sql`UPDATE approval_requests SET status = 'executing', executor = ${input.executor},
          claimed_at = ${input.now}, claim_deadline = ${input.deadline}
        WHERE id = ${input.id} AND status = 'approved' AND kind = 'action' AND expires_at > ${input.now}
        RETURNING id`;
      return rows.length === 1 ? read(sql, input.id) : undefined;
    },
    async finishExecution(input) {
      const res = await sql`UPDATE approval_requests SET status = ${input.status}, finished_at = ${input.at},
          result = ${input.result === null ? null : json(input.result)}, error = ${input.error}, receipt_sha256 = ${input.receiptSha256}
        WHERE id = ${input.id} AND status = 'executing' AND executor = ${input.executor}`;
      return res.count === 1;
    },
    async listClaimable(input) {
      const rows = await sql`SELECT id FROM approval_requests WHERE status = 'approved' AND kind = 'action'
        AND expires_at > ${input.now} AND decided_at <= ${input.approvedBefore} ORDER BY decided_at LIMIT ${clampLimit(input.limit, 50)}`;
      return rows.map((r) => String(r.id));
    },
    async failStaleExecutions(now, limit) {
      const rows = await sql`UPDATE approval_requests SET status = 'failed', finished_at = ${now}, error = 'executor_lost'
        WHERE id IN (SELECT id FROM approval_requests WHERE status = 'executing' AND claim_deadline < ${now}
          LIMIT ${clampLimit(limit, 100)} FOR UPDATE SKIP LOCKED) AND status = 'executing'
        RETURNING id`;
      return readAll(sql, rows);
    },

    async getTotp(userId) {
      const [r] = await sql`SELECT * FROM mfa_totp WHERE user_id = ${userId}`;
      return r ? {
        userId: String(r.user_id), sealedSecret: String(r.sealed_secret), createdAt: iso(r.created_at),
        lastStep: r.last_step == null ? null : Number(r.last_step), failures: Number(r.failures), lastFailureAt: isoOrNull(r.last_failure_at),
      } : undefined;
    },
    async putTotp(record, replace) {
      const res = replace
        ? await sql`INSERT INTO mfa_totp (user_id, sealed_secret, created_at) VALUES (${record.userId}, ${record.sealedSecret}, ${record.createdAt})
            ON CONFLICT (user_id) DO UPDATE SET sealed_secret = EXCLUDED.sealed_secret, created_at = EXCLUDED.created_at, last_step = NULL,
              failures = 0, last_failure_at = NULL`
        : await sql`INSERT INTO mfa_totp (user_id, sealed_secret, created_at) VALUES (${record.userId}, ${record.sealedSecret}, ${record.createdAt})
            ON CONFLICT (user_id) DO NOTHING`;
      return res.count === 1;
    },
    async deleteTotp(userId) {
      return (await sql`DELETE FROM mfa_totp WHERE user_id = ${userId}`).count === 1;
    },
    async listTotpUsers() {
      return (await sql`SELECT user_id, created_at FROM mfa_totp ORDER BY user_id`).map((r) => ({ userId: String(r.user_id), createdAt: iso(r.created_at) }));
    },
    async advanceTotpStep(userId, step) {
      const res = await sql`UPDATE mfa_totp SET last_step = ${step}, failures = 0 WHERE user_id = ${userId} AND (last_step IS NULL OR last_step < ${step})`;
      return res.count === 1;
    },
    async noteTotpFailure(userId, at, windowSeconds) {
      const [row] = await sql`UPDATE mfa_totp SET failures = CASE
          WHEN last_failure_at IS NULL OR ${at}::timestamptz - last_failure_at > make_interval(secs => ${windowSeconds}) THEN 1
          ELSE failures + 1 END,
          last_failure_at = ${at}
        WHERE user_id = ${userId} RETURNING failures`;
      return row ? Number(row.failures) : 0;
    },

    async listSigningKeys() {
      const rows = await sql`SELECT * FROM approval_signing_keys ORDER BY retired_at IS NOT NULL, created_at, kid`;
      return rows.map((r): SigningKeyRecord => ({
        kid: String(r.kid), alg: String(r.alg), publicJwk: r.public_jwk as Record<string, unknown>,
        sealedPrivateJwk: String(r.sealed_private_jwk), createdAt: iso(r.created_at), retiredAt: isoOrNull(r.retired_at),
      }));
    },
    async insertSigningKey(k) {
      const res = await sql`INSERT INTO approval_signing_keys (kid, alg, public_jwk, sealed_private_jwk, created_at, retired_at)
        VALUES (${k.kid}, ${k.alg}, ${json(k.publicJwk)}, ${k.sealedPrivateJwk}, ${k.createdAt}, ${k.retiredAt}) ON CONFLICT DO NOTHING`;
      return res.count === 1;
    },
  };
}
