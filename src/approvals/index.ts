/** Public surface of the approvals part: held actions, two-person integrity, TOTP, signed receipts. */
export { createApprovalService, type ApprovalService, type SweepReport } from './service.ts';
export type { ApprovalServiceDeps, ApprovalRecorder } from './context.ts';
export { toolConfigSchema, toolSchema, approvalsConfigSchema, defaultApprovalsConfig, TOOL_NAME, type ToolConfig, type ApprovalsConfig } from './config.ts';
export { createToolRegistry, checkArguments, type ToolRegistry, type RegisteredTool, type ToolEffect, type ArgumentsCheck } from './tools.ts';
export { toPolicyPrincipal, callToolRequest, approveRequest, type DecideFunction, type PolicySubject } from './policy.ts';
export type { ActionInput, ActionOutcome, ModelToolCall, ToolCallAnnotation, ToolCallReview } from './request-action.ts';
export type { ApproveOutcome, RejectOutcome, Refused } from './review.ts';
export { UNMASK_MIN_JUSTIFICATION, type UnmaskInput, type UnmaskOutcome } from './unmask.ts';
export { toApprovalView, isSettled, maySee, type ApprovalView } from './view.ts';
export { canonicalJson, argumentsDigest } from './canonical.ts';
export {
  verifyReceipt, publicReceiptJwk, receiptKeyId, receiptClaimsSchema, RECEIPT_HEADER, RECEIPT_TYPE, RECEIPT_VERSION, RECEIPT_ALGORITHMS,
  type ReceiptClaims, type ReceiptVerification, type ReceiptFailureCode, type ReceiptPublicKeys, type VerifyReceiptOptions, type ReceiptAlgorithm,
} from './receipt.ts';
export { loadReceiptSigner, receiptJwks, type ReceiptSigner, type PublishedKey } from './receipt-keys.ts';
export { loadSecretSealer, createSecretSealer, APPROVALS_KEY_ENV, APPROVALS_KEY_FILE, type SecretSealer } from './secrets.ts';
export { enrollTotp, verifyTotpCode, TOTP_PERIOD_SECONDS, TOTP_DIGITS, type TotpCheck, type TotpPolicy } from './totp.ts';
export { ApprovalError, type ApprovalErrorCode } from './errors.ts';
export { APPROVAL_STATUSES, type ApprovalRecord, type ApprovalStatus, type ApprovalKind, type ApprovalVote, type ApprovalStore } from './store.ts';
