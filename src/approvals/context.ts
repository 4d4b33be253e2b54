/** What the approval flows share: their dependencies, resolved once, and the audit helper. */
import type { Logger } from 'pino';
import type { ApprovalsConfig } from './config.ts';
import type { Notifier } from './notifier.ts';
import type { DecideFunction } from './policy.ts';
import type { ReceiptSigner } from './receipt-keys.ts';
import type { SecretSealer } from './secrets.ts';
import type { ApprovalRecord, ApprovalStore, IdentityStore } from './store.ts';
import type { ToolRegistry } from './tools.ts';

/** The audit interface (the gateway's Recorder): every decision here is recorded through it. */
export interface ApprovalRecorder {
  record(event: { kind: string; actor: string | null; requestId: string | null; data: Record<string, unknown> }): Promise<{ ref: string }>;
}

export interface ApprovalServiceDeps {
  store: ApprovalStore;
  identities: IdentityStore;
  logger: Logger;
  recorder: ApprovalRecorder;
  decide: DecideFunction;
  tools: ToolRegistry;
  signer: ReceiptSigner;
  sealer: SecretSealer;
  /** The parsed `approvals:` section; defaults when absent. */
  settings?: ApprovalsConfig;
  /** The time used for expiry, TOTP and receipts (tests move it). */
  clock?: () => Date;
  /** This replica's name in execution claims; a random one by default. */
  instanceId?: string;
}

export interface ApprovalContext {
  readonly store: ApprovalStore;
  readonly identities: IdentityStore;
  readonly logger: Logger;
  readonly recorder: ApprovalRecorder;
  readonly decide: DecideFunction;
  readonly tools: ToolRegistry;
  readonly signer: ReceiptSigner;
  readonly sealer: SecretSealer;
  readonly settings: ApprovalsConfig;
  readonly clock: () => Date;
  readonly instanceId: string;
  readonly notifier: Notifier;
}

/** The actor of the gateway's own transitions (expiry, lost executors), per the audit convention. */
export const SYSTEM_ACTOR = 'system:approvals';

/** The audit kind of a request's events: unmasking has its own. */
export function auditKind(record: Pick<ApprovalRecord, 'kind'>): 'approval' | 'unmask' {
  return record.kind === 'unmask' ? 'unmask' : 'approval';
}

/** The fields every approval audit event carries: which request, what, and who has approved. */
export function describeRecord(record: ApprovalRecord): Record<string, unknown> {
  return {
    approval_id: record.id, approval_kind: record.kind, target: record.target, effect: record.effect, requester: record.requester,
    approvers: record.votes.map((v) => v.approver), approvals_required: record.approvalsRequired, status: record.status,
    arguments_sha256: record.argumentsSha256,
  };
}
