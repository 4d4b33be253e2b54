/** The identity part's one error type. */

export type IdentityErrorCode = 'UNKNOWN_USER' | 'INVALID_CLEARANCE' | 'INVALID_NATIONALITY' | 'KEY_NOT_FOUND';

export class IdentityError extends Error {
  override readonly name = 'IdentityError';
  constructor(readonly code: IdentityErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
