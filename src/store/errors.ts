/** The store part's one error type. */

export type StoreErrorCode = 'CONFLICT' | 'BAD_URL' | 'MIGRATION_FAILED' | 'UNAVAILABLE';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(readonly code: StoreErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
