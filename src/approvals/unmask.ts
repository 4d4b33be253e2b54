/**
 * Unmasking a U.S. person's identity (ICPG 107.1): a written request with a justification,
 * approved like a held action by designated officials, recorded with who receives the
 * identity. An approved request is a grant to its requester for that subject until it expires.
 */
import { randomId } from '../crypto/index.ts';
import type { Principal } from '../identity/index.ts';
import type { Decision } from '../policy/index.ts';
import { argumentsDigest, canonicalJson } from './canonical.ts';
import type { ApprovalContext } from './context.ts';
import type { ApprovalRecord } from './store.ts';

/** A written justification shorter than this is not one. */
export const UNMASK_MIN_JUSTIFICATION = 20;

export interface UnmaskInput {
  /** Stable key of the masked identity (the guards part's), e.g. `usper:3f2a...`. */
  subject: string;
  /** What the approvers see: the portion, the mask shown ("U.S. PERSON 1"), the request it came from. */
  details: Record<string, unknown>;
  justification: string;
  /** The policy's decision on `unmask` for this caller and portion (the caller asks the engine). */
  decision: Decision;
  requestId: string | null;
  /** Defaults: approvals.ttl_seconds, approvals.default_approver_roles. */
  ttlSeconds?: number;
  approverRoles?: readonly string[];
}

export type UnmaskOutcome =
  | { kind: 'denied'; decision: Decision; auditRef: string }
  | { kind: 'justification_required' }
  | { kind: 'held' | 'granted'; record: ApprovalRecord; auditRef: string };

/** Opens an unmasking request, or records a grant when policy allows it without approval. */
export async function openUnmaskRequest(ctx: ApprovalContext, principal: Principal, input: UnmaskInput): Promise<UnmaskOutcome> {
  const { decision } = input;
  const base = {
    action: 'unmask.request', decision: decision.effect, rule: decision.policyIds[0] ?? 'default.deny', policy_ids: decision.policyIds,
    reason: decision.reasons.join('; '), subject: input.subject, details_sha256: argumentsDigest(input.details),
  };
  if (decision.effect === 'deny') {
    const { ref } = await ctx.recorder.record({ kind: 'unmask', actor: principal.id, requestId: input.requestId, data: base });
    return { kind: 'denied', decision, auditRef: ref };
  }
  if (input.justification.trim().length < UNMASK_MIN_JUSTIFICATION) return { kind: 'justification_required' };
  const now = ctx.clock();
  const held = decision.effect === 'hold';
  const id = randomId('apr_');
  await ctx.store.createRequest({
    id, kind: 'unmask', status: held ? 'pending' : 'approved', requester: principal.id, target: input.subject,
    argumentsJson: canonicalJson(input.details), argumentsSha256: argumentsDigest(input.details), justification: input.justification,
    effect: 'unmask', approvalsRequired: held ? (decision.obligations.includes('two_person_approval') ? 2 : 1) : 0,
    approverRoles: [...(input.approverRoles ?? ctx.settings.default_approver_roles)], totpRequired: decision.obligations.includes('fresh_totp'),
    policyIds: [...decision.policyIds], reasons: [...decision.reasons], policyContext: {}, requestId: input.requestId,
    createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + (input.ttlSeconds ?? ctx.settings.ttl_seconds) * 1000).toISOString(),
  });
  const { ref } = await ctx.recorder.record({ kind: 'unmask', actor: principal.id, requestId: input.requestId, data: { ...base, approval_id: id } });
  ctx.notifier.notify(id);
  return { kind: held ? 'held' : 'granted', record: (await ctx.store.getRequest(id))!, auditRef: ref };
}

/** The approved, unexpired unmasking of `subject` for `requesterId`, if any. */
export async function findUnmaskGrant(ctx: ApprovalContext, requesterId: string, subject: string): Promise<ApprovalRecord | undefined> {
  const now = ctx.clock().toISOString();
  const grants = await ctx.store.listRequests({ kind: 'unmask', status: 'approved', visibleTo: { userId: requesterId, roles: [] }, limit: 500 });
  return grants.find((g) => g.requester === requesterId && g.target === subject && g.expiresAt > now);
}
