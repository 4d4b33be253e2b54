/** Builds request contexts for the server. */
import type { RequestContext } from './context.ts';

/** A fresh context for one HTTP request. */
export function createRequestContext(init: { requestId: string; authorization: string | undefined; body: unknown; signal: AbortSignal }): RequestContext {
  return {
    requestId: init.requestId, receivedAt: process.hrtime.bigint(), signal: init.signal,
    authorization: init.authorization, body: init.body,
    signals: [], context: [], citations: [], inputLabels: [],
  };
}
