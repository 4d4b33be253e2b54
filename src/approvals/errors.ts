/** The approvals part's one error type: configuration and start-up problems. Decisions are values. */

export type ApprovalErrorCode =
  /** A `tools:` or `approvals:` configuration entry is invalid (bad argument schema, kinetic tool with < 2 approvals). */
  | 'CONFIG_INVALID'
  /** The approvals key (data dir or environment) is missing, unreadable or too widely readable. */
  | 'SECRETS_UNAVAILABLE'
  /** A sealed secret was sealed under a different approvals key, or for a different purpose. */
  | 'SECRETS_MISMATCH'
  /** No such user (TOTP enrolment). */
  | 'UNKNOWN_USER'
  /** The user already has a TOTP secret; replacing it must be asked for. */
  | 'TOTP_EXISTS'
  /** A value that must be JSON (tool arguments) is not. */
  | 'NOT_JSON'
  /** A receipt public key is not a usable EdDSA or ES256 public JWK. */
  | 'INVALID_KEY';

export class ApprovalError extends Error {
  override readonly name = 'ApprovalError';
  constructor(readonly code: ApprovalErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
