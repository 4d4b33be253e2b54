/** The audit part's one error type, with a fixed string code; verification outcomes are values instead. */

export type AuditErrorCode =
  | 'INVALID_RECORD'
  | 'ENTRY_TOO_LARGE'
  | 'APPEND_FAILED'
  | 'STORE_CONFLICT'
  | 'STORE_CORRUPT'
  | 'CHECKPOINT_INCONSISTENT'
  | 'MALFORMED_CHECKPOINT'
  | 'INVALID_PROOF_REQUEST'
  | 'CONFIG_MISMATCH'
  | 'EXPORT_FORMAT'
  | 'CONTENT_UNREADABLE'
  | 'SIGNING_FAILED'
  | 'CLOSED';

export class AuditError extends Error {
  constructor(readonly code: AuditErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AuditError';
  }
}
