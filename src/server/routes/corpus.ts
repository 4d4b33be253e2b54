/** GET /v1/corpus/search: the portions the caller's clearance dominates and policy lets them retrieve, with their labels. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createRequestContext, identify, portionGateFor, type GatewayDeps } from '../../gateway/index.ts';
import { formatBanner, leastUpperBound, parseMarking } from '../../markings/index.ts';
import { searchCorpus } from '../../retrieval/index.ts';
import { sendError } from '../http-errors.ts';
import { CLASSIFICATION_HEADER } from './chat.ts';

const querySchema = z.object({
  q: z.string().min(1, 'q: a search query is required').max(1000),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export function registerCorpusRoutes(app: FastifyInstance, deps: GatewayDeps): void {
  app.get('/v1/corpus/search', async (request, reply) => {
    const ctx = createRequestContext({ requestId: request.id, authorization: request.headers.authorization, body: undefined, signal: new AbortController().signal });
    const refusal = await identify(ctx, deps);
    if (refusal) return sendError(request, reply, { ...refusal, param: null });
    const parsed = querySchema.safeParse(request.query);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return sendError(request, reply, { status: 400, type: 'invalid_request_error', code: 'invalid_request', param: issue.path.join('.') || null, message: issue.message });
    }
    const principal = ctx.principal!;
    const hits = await searchCorpus(deps.store.corpus, principal, parsed.data.q, { limit: parsed.data.limit, policy: portionGateFor(deps, principal) });
    const label = leastUpperBound(hits.map((h) => parseMarking(h.banner)));
    const mask = deps.maskText ?? ((text: string) => text);
    reply.header(CLASSIFICATION_HEADER, formatBanner(label));
    return reply.send({
      object: 'list',
      classification: formatBanner(label),
      data: hits.map((h) => ({
        portion_id: h.portionId, document_id: h.documentId, title: mask(h.title, h.usPersons), portion_mark: h.portionMark,
        classification: h.banner, snippet: mask(h.snippet, h.usPersons),
      })),
    });
  });
}
