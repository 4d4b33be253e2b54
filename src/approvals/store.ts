/** The store types this part works with; the one place that names the store's approvals module. */
export type {
  ApprovalKind, ApprovalListFilter, ApprovalRecord, ApprovalStatus, ApprovalStore, ApprovalVote, NewApprovalRequest,
  SigningKeyRecord, TotpRecord, VoteOutcome,
} from '../store/index.ts';
export type { IdentityStore, UserRecord } from '../store/index.ts';
export { APPROVAL_STATUSES } from '../store/index.ts';
