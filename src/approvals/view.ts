/** What the API shows of a request, and to whom: its requester and the holders of its approver roles. */
import type { Principal } from '../identity/index.ts';
import type { ApprovalRecord, ApprovalStatus } from './store.ts';

/** A request may be read by its requester and by anyone holding one of its approver roles. */
export function maySee(principal: Principal, record: ApprovalRecord): boolean {
  return record.requester === principal.id || record.approverRoles.some((r) => principal.roles.includes(r));
}

/** A request holding one of these is still on its way; a long poll waits for it to leave them. */
export function isSettled(record: ApprovalRecord): boolean {
  const open: readonly ApprovalStatus[] = record.kind === 'unmask' ? ['pending'] : ['pending', 'approved', 'executing'];
  return !open.includes(record.status);
}

export interface ApprovalView {
  id: string;
  object: 'enclave.approval';
  kind: ApprovalRecord['kind'];
  status: ApprovalStatus;
  requester: string;
  tool: string | null;
  subject: string | null;
  arguments: unknown;
  arguments_sha256: string;
  justification: string;
  effect: ApprovalRecord['effect'];
  approvals_required: number;
  approver_roles: string[];
  totp_required: boolean;
  approvals: Array<{ approver: string; reason: string; totp: boolean; at: string }>;
  policy_ids: string[];
  reasons: string[];
  created_at: string;
  expires_at: string;
  decided_at: string | null;
  rejection: { by: string; reason: string } | null;
  executed_at: string | null;
  result: Record<string, unknown> | null;
  error: string | null;
  receipt_sha256: string | null;
}

/** The JSON body of an approval, in the API's snake_case. */
export function toApprovalView(r: ApprovalRecord): ApprovalView {
  return {
    id: r.id, object: 'enclave.approval', kind: r.kind, status: r.status, requester: r.requester,
    tool: r.kind === 'action' ? r.target : null, subject: r.kind === 'unmask' ? r.target : null,
    arguments: JSON.parse(r.argumentsJson) as unknown, arguments_sha256: r.argumentsSha256, justification: r.justification,
    effect: r.effect, approvals_required: r.approvalsRequired, approver_roles: [...r.approverRoles], totp_required: r.totpRequired,
    approvals: r.votes.map((v) => ({ approver: v.approver, reason: v.reason, totp: v.totp, at: v.at })),
    policy_ids: [...r.policyIds], reasons: [...r.reasons], created_at: r.createdAt, expires_at: r.expiresAt, decided_at: r.decidedAt,
    rejection: r.rejectedBy ? { by: r.rejectedBy, reason: r.rejectReason ?? '' } : null,
    executed_at: r.finishedAt, result: r.result, error: r.error, receipt_sha256: r.receiptSha256,
  };
}
