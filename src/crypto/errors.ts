/** The crypto part's one error type: a fixed string code a caller can branch on, and a cause. */

export type CryptoErrorCode =
  | 'INVALID_KEY'
  | 'INVALID_ENCODING'
  | 'MALFORMED_NOTE'
  | 'MALFORMED_ENVELOPE'
  | 'DECRYPTION_FAILED'
  | 'UNKNOWN_KEY'
  | 'KDF_PARAMETERS';

/** Raised for malformed keys and envelopes and for failed decryption; verification failures are values. */
export class CryptoError extends Error {
  constructor(readonly code: CryptoErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CryptoError';
  }
}
