/**
 * Approvers' decisions: approve (policy, then TOTP, then an atomic vote) and reject. Every
 * outcome, refusals included, is recorded through the audit interface.
 */
import type { Principal } from '../identity/index.ts';
import { auditKind, describeRecord, SYSTEM_ACTOR, type ApprovalContext } from './context.ts';
import { executeApproved } from './execute.ts';
import { approveRequest } from './policy.ts';
import type { ApprovalRecord } from './store.ts';
import { verifyTotpCode } from './totp.ts';
import { maySee } from './view.ts';

export interface Refused {
  kind: 'refused';
  status: 403 | 409;
  code: string;
  /** The policy or rule that refused, for the error body and the audit record. */
  rule: string;
  message: string;
  auditRef: string;
}

export type ApproveOutcome =
  | { kind: 'not_found' }
  | Refused
  /** Counted; `record.status` says whether it is still pending or was approved (and run). */
  | { kind: 'approved'; record: ApprovalRecord; auditRef: string };

export type RejectOutcome = { kind: 'not_found' } | Refused | { kind: 'rejected'; record: ApprovalRecord; auditRef: string };

const TOTP_MESSAGES = {
  malformed: 'The TOTP code must be 6 digits.',
  not_enrolled: 'You have no TOTP enrolment; ask an administrator to run `enclave mfa enroll`.',
  invalid: 'The TOTP code is wrong or stale.',
  replayed: 'This TOTP code has already been used; wait for the next one.',
  locked: 'Too many wrong TOTP codes; try again later.',
} as const;

async function audit(ctx: ApprovalContext, actor: string, record: ApprovalRecord, requestId: string | null, data: Record<string, unknown>): Promise<string> {
  const { ref } = await ctx.recorder.record({ kind: auditKind(record), actor, requestId, data: { ...describeRecord(record), ...data } });
  return ref;
}

/** Moves every due request to `expired`, recording each; run by the sweeper and on demand. */
export async function expireDue(ctx: ApprovalContext): Promise<ApprovalRecord[]> {
  const expired = await ctx.store.expireDue(ctx.clock().toISOString());
  for (const r of expired) {
    ctx.notifier.notify(r.id);
    await audit(ctx, SYSTEM_ACTOR, r, null, { action: 'approval.expire', decision: 'expire', rule: 'approval.expired', reason: `expired at ${r.expiresAt}` });
  }
  return expired;
}

async function refuse(
  ctx: ApprovalContext, principal: Principal, record: ApprovalRecord, requestId: string | null, action: string,
  r: Omit<Refused, 'kind' | 'auditRef'>, extra: Record<string, unknown> = {},
): Promise<Refused> {
  const auditRef = await audit(ctx, principal.id, record, requestId, { action, decision: 'deny', rule: r.rule, reason: r.message, code: r.code, ...extra });
  return { kind: 'refused', ...r, auditRef };
}

function notPending(record: ApprovalRecord): Omit<Refused, 'kind' | 'auditRef'> {
  return record.status === 'expired'
    ? { status: 409, code: 'approval_expired', rule: 'approval.expired', message: `This request expired at ${record.expiresAt}.` }
    : { status: 409, code: 'approval_not_pending', rule: 'approval.not_pending', message: `This request is ${record.status}; only pending requests can be decided.` };
}

/**
 * Approves `id` as `principal`: policy first (role, not the requester, once, TOTP for kinetic),
 * then the TOTP code, then the vote, which the store counts atomically. The vote that reaches
 * the threshold executes the action before this returns.
 */
export async function approve(
  ctx: ApprovalContext, principal: Principal, id: string, input: { reason: string; totp?: string; requestId: string | null },
): Promise<ApproveOutcome> {
  const action = 'approval.approve';
  let record = await ctx.store.getRequest(id);
  if (!record || !maySee(principal, record)) return { kind: 'not_found' };
  if (record.status === 'pending' && record.expiresAt <= ctx.clock().toISOString()) {
    await expireDue(ctx);
    record = (await ctx.store.getRequest(id))!;
  }
  if (record.status !== 'pending') return refuse(ctx, principal, record, input.requestId, action, notPending(record));

  // Asked with the code's presence: a caller policy refuses anyway never spends a code.
  const decision = ctx.decide(approveRequest(principal, record, input.totp !== undefined));
  if (decision.effect !== 'allow') {
    const rule = decision.policyIds[0] ?? 'default.deny';
    return refuse(ctx, principal, record, input.requestId, action, {
      status: 403, code: rule === 'approval.fresh_totp' ? 'totp_required' : 'approval_denied', rule, message: decision.reasons[0] ?? 'Policy refuses this approval.',
    }, { policy_ids: decision.policyIds });
  }
  let totp = false;
  if (record.totpRequired || input.totp !== undefined) {
    if (input.totp === undefined) {
      return refuse(ctx, principal, record, input.requestId, action, { status: 403, code: 'totp_required', rule: 'approval.totp_required', message: 'Approving this request needs a TOTP code.' });
    }
    const s = ctx.settings;
    const check = await verifyTotpCode(ctx, principal.id, input.totp, {
      now: ctx.clock(), windowSteps: s.totp_window_steps, maxFailures: s.totp_max_failures, lockoutSeconds: s.totp_lockout_seconds,
    });
    if (!check.ok) {
      return refuse(ctx, principal, record, input.requestId, action, { status: 403, code: `totp_${check.reason}`, rule: 'approval.totp', message: TOTP_MESSAGES[check.reason] });
    }
    totp = true;
  }

  const vote = await ctx.store.castVote({ approvalId: id, approver: principal.id, reason: input.reason, totp, at: ctx.clock().toISOString() });
  switch (vote.outcome) {
    case 'not_found':
      return { kind: 'not_found' };
    case 'self':
      return refuse(ctx, principal, vote.record, input.requestId, action, { status: 403, code: 'approval_denied', rule: 'approval.not_requester', message: 'A requester cannot approve their own held action.' });
    case 'duplicate':
      return refuse(ctx, principal, vote.record, input.requestId, action, { status: 409, code: 'already_approved', rule: 'approval.distinct_approvers', message: 'You have already approved this request.' });
    case 'expired':
      if (vote.transitioned) {
        ctx.notifier.notify(id);
        await audit(ctx, SYSTEM_ACTOR, vote.record, null, { action: 'approval.expire', decision: 'expire', rule: 'approval.expired', reason: `expired at ${vote.record.expiresAt}` });
      }
      return refuse(ctx, principal, vote.record, input.requestId, action, notPending(vote.record));
    case 'not_pending':
      return refuse(ctx, principal, vote.record, input.requestId, action, notPending(vote.record));
    case 'recorded':
    case 'approved': {
      ctx.notifier.notify(id);
      const auditRef = await audit(ctx, principal.id, vote.record, input.requestId, {
        action, decision: 'approve', rule: decision.policyIds[0] ?? 'default.approve', policy_ids: decision.policyIds, reason: input.reason,
        totp, threshold_reached: vote.outcome === 'approved',
      });
      const final = vote.outcome === 'approved' && vote.record.kind === 'action' ? await executeApproved(ctx, id, input.requestId) : vote.record;
      return { kind: 'approved', record: final ?? vote.record, auditRef };
    }
  }
}

/** Rejects (an approver) or withdraws (the requester) a pending request; one rejection ends it. */
export async function reject(ctx: ApprovalContext, principal: Principal, id: string, input: { reason: string; requestId: string | null }): Promise<RejectOutcome> {
  const record = await ctx.store.getRequest(id);
  if (!record || !maySee(principal, record)) return { kind: 'not_found' };
  const action = record.requester === principal.id ? 'approval.withdraw' : 'approval.reject';
  const done = await ctx.store.reject({ id, by: principal.id, reason: input.reason, at: ctx.clock().toISOString() });
  if (!done) {
    await expireDue(ctx);
    const now = (await ctx.store.getRequest(id))!;
    return refuse(ctx, principal, now, input.requestId, action, notPending(now));
  }
  ctx.notifier.notify(id);
  const after = (await ctx.store.getRequest(id))!;
  const auditRef = await audit(ctx, principal.id, after, input.requestId, { action, decision: 'reject', rule: action, reason: input.reason });
  return { kind: 'rejected', record: after, auditRef };
}
