/** Builds request contexts for the server. */
import type { Principal } from '../identity/index.ts';
import type { RequestContext } from './context.ts';

/**
 * A fresh context for one HTTP request. `principal` is set only by a caller that has already
 * authenticated the request another way (a console session); identify then keeps it.
 */
export function createRequestContext(init: { requestId: string; authorization: string | undefined; body: unknown; signal: AbortSignal; principal?: Principal }): RequestContext {
  return {
    ...(init.principal ? { principal: init.principal } : {}),
    requestId: init.requestId, receivedAt: process.hrtime.bigint(), signal: init.signal,
    authorization: init.authorization, body: init.body,
    signals: [], context: [], citations: [], inputLabels: [], usPersons: new Set(), dropped: [], withheld: [],
  };
}
