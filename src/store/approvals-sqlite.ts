/**
 * The approvals store on SQLite. Each state change runs in a BEGIN IMMEDIATE transaction, so
 * it is serialised against every other writer of the file, in this process or another.
 */
import type Database from 'better-sqlite3';
import type {
  ApprovalListFilter, ApprovalRecord, ApprovalStore, ApprovalVote, NewApprovalRequest, SigningKeyRecord, TotpRecord, VoteOutcome,
} from './approvals-types.ts';
import { StoreError } from './errors.ts';

type Row = Record<string, unknown>;

const str = (v: unknown): string | null => (v == null ? null : String(v));

function toVote(r: Row): ApprovalVote {
  return { approver: String(r.approver), reason: String(r.reason), totp: r.totp === 1, at: String(r.at) };
}

function toRecord(r: Row, votes: ApprovalVote[]): ApprovalRecord {
  return {
    id: String(r.id), kind: r.kind as ApprovalRecord['kind'], status: r.status as ApprovalRecord['status'],
    requester: String(r.requester), target: String(r.target), argumentsJson: String(r.arguments_json),
    argumentsSha256: String(r.arguments_sha256), justification: String(r.justification), effect: r.effect as ApprovalRecord['effect'],
    approvalsRequired: Number(r.approvals_required), approverRoles: JSON.parse(String(r.approver_roles)) as string[],
    totpRequired: r.totp_required === 1, policyIds: JSON.parse(String(r.policy_ids)) as string[],
    reasons: JSON.parse(String(r.reasons)) as string[], policyContext: JSON.parse(String(r.policy_context)) as Record<string, unknown>,
    requestId: str(r.request_id), createdAt: String(r.created_at), expiresAt: String(r.expires_at), decidedAt: str(r.decided_at),
    rejectedBy: str(r.rejected_by), rejectReason: str(r.reject_reason), executor: str(r.executor), claimedAt: str(r.claimed_at),
    claimDeadline: str(r.claim_deadline), finishedAt: str(r.finished_at),
    result: r.result == null ? null : JSON.parse(String(r.result)) as Record<string, unknown>,
    error: str(r.error), receiptSha256: str(r.receipt_sha256), votes,
  };
}

function clampLimit(limit: number | undefined, fallback: number): number {
  return Math.max(1, Math.min(500, Math.floor(limit ?? fallback)));
}

/**
 * Builds the approvals store over an open better-sqlite3 handle whose migrations have run
 * (openSqliteStore runs them).
 * @example const approvals = createSqliteApprovalStore(openSqliteStore(path).db)
 */
export function createSqliteApprovalStore(db: Database.Database): ApprovalStore {
  const getRow = db.prepare('SELECT * FROM approval_requests WHERE id = ?');
  const getVotes = db.prepare('SELECT * FROM approval_votes WHERE approval_id = ? ORDER BY at, approver');
  const insertRequest = db.prepare(`INSERT INTO approval_requests (id, kind, status, requester, target, arguments_json,
      arguments_sha256, justification, effect, approvals_required, approver_roles, totp_required, policy_ids, reasons,
      policy_context, request_id, created_at, expires_at, decided_at)
    VALUES (@id, @kind, @status, @requester, @target, @argumentsJson, @argumentsSha256, @justification, @effect,
      @approvalsRequired, @approverRoles, @totpRequired, @policyIds, @reasons, @policyContext, @requestId, @createdAt,
      @expiresAt, @decidedAt)`);
  const insertRole = db.prepare('INSERT OR IGNORE INTO approval_request_roles (approval_id, role) VALUES (?, ?)');
  const insertVote = db.prepare('INSERT INTO approval_votes (approval_id, approver, reason, totp, at) VALUES (?, ?, ?, ?, ?)');
  const countVotes = db.prepare('SELECT COUNT(*) AS n FROM approval_votes WHERE approval_id = ?');
  const setApproved = db.prepare("UPDATE approval_requests SET status = 'approved', decided_at = ? WHERE id = ? AND status = 'pending'");
  const setExpired = db.prepare("UPDATE approval_requests SET status = 'expired', decided_at = ? WHERE id = ? AND status = 'pending'");
  const setRejected = db.prepare(`UPDATE approval_requests SET status = 'rejected', decided_at = @at, rejected_by = @by, reject_reason = @reason
    WHERE id = @id AND status = 'pending' AND expires_at > @at`);
  const expireDue = db.prepare(`UPDATE approval_requests SET status = 'expired', decided_at = COALESCE(decided_at, @now)
    WHERE id IN (SELECT id FROM approval_requests WHERE expires_at <= @now
      AND (status = 'pending' OR (status = 'approved' AND kind = 'action')) ORDER BY expires_at LIMIT @limit)
    RETURNING id`);
  const claim = db.prepare(`UPDATE approval_requests SET status = 'executing', executor = @executor, claimed_at = @now, claim_deadline = @deadline
    WHERE id = @id AND status = 'approved' AND kind = 'action' AND expires_at > @now`);
  const finish = db.prepare(`UPDATE approval_requests SET status = @status, finished_at = @at, result = @result, error = @error,
      receipt_sha256 = @receiptSha256
    WHERE id = @id AND status = 'executing' AND executor = @executor`);
  const claimable = db.prepare(`SELECT id FROM approval_requests WHERE status = 'approved' AND kind = 'action'
    AND expires_at > @now AND decided_at <= @approvedBefore ORDER BY decided_at LIMIT @limit`);
  const failStale = db.prepare(`UPDATE approval_requests SET status = 'failed', finished_at = @now, error = 'executor_lost'
    WHERE id IN (SELECT id FROM approval_requests WHERE status = 'executing' AND claim_deadline < @now LIMIT @limit)
    RETURNING id`);
  const getTotp = db.prepare('SELECT * FROM mfa_totp WHERE user_id = ?');
  const insertTotp = db.prepare('INSERT OR IGNORE INTO mfa_totp (user_id, sealed_secret, created_at) VALUES (@userId, @sealedSecret, @createdAt)');
  const replaceTotp = db.prepare(`INSERT INTO mfa_totp (user_id, sealed_secret, created_at) VALUES (@userId, @sealedSecret, @createdAt)
    ON CONFLICT(user_id) DO UPDATE SET sealed_secret = excluded.sealed_secret, created_at = excluded.created_at, last_step = NULL,
      failures = 0, last_failure_at = NULL`);
  const deleteTotp = db.prepare('DELETE FROM mfa_totp WHERE user_id = ?');
  const listTotp = db.prepare('SELECT user_id, created_at FROM mfa_totp ORDER BY user_id');
  const advanceStep = db.prepare('UPDATE mfa_totp SET last_step = ?, failures = 0 WHERE user_id = ? AND (last_step IS NULL OR last_step < ?)');
  // julianday() compares the stored ISO time with `at` as instants, whatever their text.
  const noteFailure = db.prepare(`UPDATE mfa_totp SET failures = CASE
      WHEN last_failure_at IS NULL OR (julianday(@at) - julianday(last_failure_at)) * 86400 > @window THEN 1 ELSE failures + 1 END,
      last_failure_at = @at
    WHERE user_id = @userId RETURNING failures`);
  const listKeys = db.prepare('SELECT * FROM approval_signing_keys ORDER BY retired_at IS NOT NULL, created_at, kid');
  const insertKey = db.prepare(`INSERT OR IGNORE INTO approval_signing_keys (kid, alg, public_jwk, sealed_private_jwk, created_at, retired_at)
    VALUES (@kid, @alg, @publicJwk, @sealedPrivateJwk, @createdAt, @retiredAt)`);

  function read(id: string): ApprovalRecord | undefined {
    const row = getRow.get(id) as Row | undefined;
    return row ? toRecord(row, (getVotes.all(id) as Row[]).map(toVote)) : undefined;
  }
  const readAll = (rows: Row[]) => rows.map((r) => read(String(r.id))!);

  const create = db.transaction((r: NewApprovalRequest) => {
    insertRequest.run({
      ...r, approverRoles: JSON.stringify(r.approverRoles), totpRequired: r.totpRequired ? 1 : 0,
      policyIds: JSON.stringify(r.policyIds), reasons: JSON.stringify(r.reasons), policyContext: JSON.stringify(r.policyContext),
      decidedAt: r.status === 'approved' ? r.createdAt : null,
    });
    for (const role of r.approverRoles) insertRole.run(r.id, role);
  });

  const vote = db.transaction((v: { approvalId: string; approver: string; reason: string; totp: boolean; at: string }): VoteOutcome => {
    const current = read(v.approvalId);
    if (!current) return { outcome: 'not_found' };
    if (current.status !== 'pending') return { outcome: 'not_pending', record: current };
    if (current.expiresAt <= v.at) {
      const transitioned = setExpired.run(v.at, v.approvalId).changes === 1;
      return { outcome: 'expired', record: read(v.approvalId)!, transitioned };
    }
    if (current.requester === v.approver) return { outcome: 'self', record: current };
    if (current.votes.some((x) => x.approver === v.approver)) return { outcome: 'duplicate', record: current };
    insertVote.run(v.approvalId, v.approver, v.reason, v.totp ? 1 : 0, v.at);
    const n = Number((countVotes.get(v.approvalId) as Row).n);
    if (n >= current.approvalsRequired && setApproved.run(v.at, v.approvalId).changes === 1) {
      return { outcome: 'approved', record: read(v.approvalId)! };
    }
    return { outcome: 'recorded', record: read(v.approvalId)! };
  });

  const claimTx = db.transaction((input: { id: string; executor: string; now: string; deadline: string }) =>
    (claim.run(input).changes === 1 ? read(input.id) : undefined));

  return {
    async createRequest(r) {
      try {
        create.immediate(r);
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new StoreError('CONFLICT', `approval ${r.id} already exists`, { cause: err });
        throw err;
      }
    },
    async getRequest(id) {
      return read(id);
    },
    async listRequests(filter: ApprovalListFilter = {}) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (filter.status) { where.push('status = ?'); args.push(filter.status); }
      if (filter.kind) { where.push('kind = ?'); args.push(filter.kind); }
      if (filter.before) { where.push('created_at < ?'); args.push(filter.before); }
      if (filter.visibleTo) {
        const roles = [...filter.visibleTo.roles];
        const inRoles = roles.length ? ` OR id IN (SELECT approval_id FROM approval_request_roles WHERE role IN (${roles.map(() => '?').join(', ')}))` : '';
        where.push(`(requester = ?${inRoles})`);
        args.push(filter.visibleTo.userId, ...roles);
      }
      const sql = `SELECT id FROM approval_requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ?`;
      return readAll(db.prepare(sql).all(...args, clampLimit(filter.limit, 50)) as Row[]);
    },
    async castVote(v) {
      return vote.immediate(v);
    },
    async reject(input) {
      return setRejected.run(input).changes === 1;
    },
    async expireDue(now, limit) {
      return readAll(expireDue.all({ now, limit: clampLimit(limit, 100) }) as Row[]);
    },
    async claimExecution(input) {
      return claimTx.immediate(input);
    },
    async finishExecution(input) {
      return finish.run({ ...input, result: input.result === null ? null : JSON.stringify(input.result) }).changes === 1;
    },
    async listClaimable(input) {
      return (claimable.all({ now: input.now, approvedBefore: input.approvedBefore, limit: clampLimit(input.limit, 50) }) as Row[]).map((r) => String(r.id));
    },
    async failStaleExecutions(now, limit) {
      return readAll(failStale.all({ now, limit: clampLimit(limit, 100) }) as Row[]);
    },

    async getTotp(userId) {
      const r = getTotp.get(userId) as Row | undefined;
      return r ? {
        userId: String(r.user_id), sealedSecret: String(r.sealed_secret), createdAt: String(r.created_at),
        lastStep: r.last_step == null ? null : Number(r.last_step), failures: Number(r.failures), lastFailureAt: str(r.last_failure_at),
      } : undefined;
    },
    async putTotp(record: Pick<TotpRecord, 'userId' | 'sealedSecret' | 'createdAt'>, replace) {
      return (replace ? replaceTotp : insertTotp).run(record).changes === 1;
    },
    async deleteTotp(userId) {
      return deleteTotp.run(userId).changes === 1;
    },
    async listTotpUsers() {
      return (listTotp.all() as Row[]).map((r) => ({ userId: String(r.user_id), createdAt: String(r.created_at) }));
    },
    async advanceTotpStep(userId, step) {
      return advanceStep.run(step, userId, step).changes === 1;
    },
    async noteTotpFailure(userId, at, windowSeconds) {
      const row = noteFailure.get({ userId, at, window: windowSeconds }) as Row | undefined;
      return row ? Number(row.failures) : 0;
    },

    async listSigningKeys() {
      return (listKeys.all() as Row[]).map((r): SigningKeyRecord => ({
        kid: String(r.kid), alg: String(r.alg), publicJwk: JSON.parse(String(r.public_jwk)) as Record<string, unknown>,
        sealedPrivateJwk: String(r.sealed_private_jwk), createdAt: String(r.created_at), retiredAt: str(r.retired_at),
      }));
    },
    async insertSigningKey(k) {
      return insertKey.run({ ...k, publicJwk: JSON.stringify(k.publicJwk) }).changes === 1;
    },
  };
}
