/**
 * Records and the storage interface of held actions, approvals, TOTP enrolments and receipt
 * keys; both implementations pass approvals.case.test.ts. Every state change is a conditional
 * write, so concurrent replicas cannot both win the same transition.
 */

/** pending -> approved -> executing -> executed | failed, or pending -> rejected | expired. */
export const APPROVAL_STATUSES = ['pending', 'approved', 'executing', 'executed', 'failed', 'rejected', 'expired'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** A tool call, or an unmasking of a U.S. person's identity (ICPG 107.1). */
export type ApprovalKind = 'action' | 'unmask';

export interface ApprovalVote {
  approver: string;
  reason: string;
  /** A TOTP code was verified in the approving request. */
  totp: boolean;
  at: string;
}

/** A held (or allowed and executing) action as stored. Times are ISO 8601 UTC with milliseconds. */
export interface ApprovalRecord {
  id: string;
  kind: ApprovalKind;
  status: ApprovalStatus;
  requester: string;
  /** The tool name (action) or the subject being unmasked (unmask). */
  target: string;
  /** RFC 8785 canonical JSON of the arguments (action) or of the unmask subject. */
  argumentsJson: string;
  /** Hex SHA-256 of argumentsJson. */
  argumentsSha256: string;
  justification: string;
  /** The tool's effect, or 'unmask'. */
  effect: 'read' | 'write' | 'kinetic' | 'unmask';
  approvalsRequired: number;
  approverRoles: string[];
  totpRequired: boolean;
  /** The policies that held (or allowed) it, and their reasons. */
  policyIds: string[];
  reasons: string[];
  /** The policy context of the original decision (guard signals), replayed when it executes. */
  policyContext: Record<string, unknown>;
  requestId: string | null;
  createdAt: string;
  expiresAt: string;
  /** When it left `pending` (approved, rejected or expired). */
  decidedAt: string | null;
  rejectedBy: string | null;
  rejectReason: string | null;
  executor: string | null;
  claimedAt: string | null;
  /** An executor that has not finished by then is presumed lost; the action is failed, never retried. */
  claimDeadline: string | null;
  finishedAt: string | null;
  /** The tool's answer (status and body), or the failure code. */
  result: Record<string, unknown> | null;
  error: string | null;
  /** Hex SHA-256 of the receipt sent with the tool call. */
  receiptSha256: string | null;
  votes: ApprovalVote[];
}

/** What creating a request stores; the rest starts empty. */
export type NewApprovalRequest = Omit<ApprovalRecord,
  'decidedAt' | 'rejectedBy' | 'rejectReason' | 'executor' | 'claimedAt' | 'claimDeadline' | 'finishedAt' | 'result' | 'error' | 'receiptSha256' | 'votes'
> & { status: 'pending' | 'approved' };

export type VoteOutcome =
  /** Counted; more approvals are needed. */
  | { outcome: 'recorded'; record: ApprovalRecord }
  /** Counted, and this vote reached the threshold: the request is now `approved`. */
  | { outcome: 'approved'; record: ApprovalRecord }
  /** This approver has already approved this request (unique (approval_id, approver)). */
  | { outcome: 'duplicate'; record: ApprovalRecord }
  /** The requester cannot approve their own request. */
  | { outcome: 'self'; record: ApprovalRecord }
  | { outcome: 'not_pending'; record: ApprovalRecord }
  /** It had expired; `transitioned` is true when this call moved it to `expired`. */
  | { outcome: 'expired'; record: ApprovalRecord; transitioned: boolean }
  | { outcome: 'not_found' };

export interface ApprovalListFilter {
  status?: ApprovalStatus;
  kind?: ApprovalKind;
  /** Only requests made by `userId`, or approvable by one of `roles`. */
  visibleTo?: { userId: string; roles: readonly string[] };
  /** Only requests created strictly before this time (paging, newest first). */
  before?: string;
  limit?: number;
}

/** A user's TOTP enrolment. The secret is sealed; `lastStep` is the last accepted RFC 6238 time step. */
export interface TotpRecord {
  userId: string;
  sealedSecret: string;
  createdAt: string;
  lastStep: number | null;
  /** Wrong codes since the last accepted one (or since the failure window lapsed). */
  failures: number;
  lastFailureAt: string | null;
}

/** A receipt signing key. The private JWK is sealed; at most one key is active (not retired). */
export interface SigningKeyRecord {
  kid: string;
  alg: string;
  publicJwk: Record<string, unknown>;
  sealedPrivateJwk: string;
  createdAt: string;
  retiredAt: string | null;
}

export interface ApprovalStore {
  /** Fails with StoreError('CONFLICT') when the id exists. */
  createRequest(request: NewApprovalRequest): Promise<void>;
  getRequest(id: string): Promise<ApprovalRecord | undefined>;
  /** Newest first; at most `limit` (default 50, at most 500). */
  listRequests(filter?: ApprovalListFilter): Promise<ApprovalRecord[]>;
  /**
   * Atomically: refuses unless pending and unexpired at `at` and the approver is not the
   * requester; inserts the vote (one per approver); moves to `approved` when the votes reach
   * the threshold. Serialised per request (row lock / immediate transaction).
   */
  castVote(vote: { approvalId: string; approver: string; reason: string; totp: boolean; at: string }): Promise<VoteOutcome>;
  /** pending (and unexpired) -> rejected; false when it was not pending any more. */
  reject(input: { id: string; by: string; reason: string; at: string }): Promise<boolean>;
  /** Moves due pending requests, and approved actions nobody claimed in time, to `expired`; returns them. */
  expireDue(now: string, limit?: number): Promise<ApprovalRecord[]>;
  /**
   * approved -> executing for exactly one caller, only while unexpired at `now`; returns the
   * claimed record, or undefined when someone else claimed it or it is not claimable.
   */
  claimExecution(input: { id: string; executor: string; now: string; deadline: string }): Promise<ApprovalRecord | undefined>;
  /** executing -> executed | failed, only by the executor holding the claim. */
  finishExecution(input: {
    id: string; executor: string; status: 'executed' | 'failed'; at: string;
    result: Record<string, unknown> | null; error: string | null; receiptSha256: string | null;
  }): Promise<boolean>;
  /** Approved actions not yet claimed, approved at or before `approvedBefore`, unexpired at `now`. */
  listClaimable(input: { now: string; approvedBefore: string; limit?: number }): Promise<string[]>;
  /** executing past its claim deadline -> failed ('executor_lost'); returns them. */
  failStaleExecutions(now: string, limit?: number): Promise<ApprovalRecord[]>;

  getTotp(userId: string): Promise<TotpRecord | undefined>;
  /** Inserts (failures reset), or replaces when `replace`; false when one exists and not `replace`. */
  putTotp(record: Pick<TotpRecord, 'userId' | 'sealedSecret' | 'createdAt'>, replace: boolean): Promise<boolean>;
  deleteTotp(userId: string): Promise<boolean>;
  listTotpUsers(): Promise<Array<{ userId: string; createdAt: string }>>;
  /** Records `step` as used when it is later than the last used step, and clears failures; false means a replay. */
  advanceTotpStep(userId: string, step: number): Promise<boolean>;
  /**
   * Counts a wrong code at `at`; a failure more than `windowSeconds` after the previous one
   * starts the count again. Returns the new count (0 when the user is not enrolled).
   */
  noteTotpFailure(userId: string, at: string, windowSeconds: number): Promise<number>;

  /** Every key, active first, then by creation. */
  listSigningKeys(): Promise<SigningKeyRecord[]>;
  /** Inserts an active key unless one is already active; false when another won. */
  insertSigningKey(record: SigningKeyRecord): Promise<boolean>;
}
