/** The inference part's one error type. */

export type InferenceErrorCode =
  | 'MODEL_INVALID'
  | 'UPSTREAM_ERROR'
  | 'UPSTREAM_REJECTED'
  | 'UPSTREAM_TIMEOUT'
  | 'NOT_ACCREDITED'
  | 'BACKEND_BUSY'
  | 'ABORTED'
  | 'CONTEXT_LENGTH_EXCEEDED';

export class InferenceError extends Error {
  override readonly name = 'InferenceError';
  constructor(readonly code: InferenceErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
