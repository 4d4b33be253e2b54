/** The retrieval part's one error type. Expected outcomes (a rejected file) are values, not errors. */

export type RetrievalErrorCode =
  /** A label that does not survive formatBanner -> parseMarking cannot be stored faithfully. */
  | 'UNSTORABLE_LABEL'
  /** The store returned a chunk the caller may not read: a store defect; the request fails closed. */
  | 'ACCESS_INVARIANT'
  | 'INVALID_OPTIONS';

export class RetrievalError extends Error {
  override readonly name = 'RetrievalError';
  constructor(readonly code: RetrievalErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
