/** GET /v1/models: only the models the caller may use, with their accreditation. */
import type { FastifyInstance } from 'fastify';
import { createRequestContext, identify, type GatewayDeps } from '../../gateway/index.ts';
import { mayUseModel } from '../../inference/index.ts';

const STARTED = Math.floor(Date.now() / 1000);

export function registerModelRoutes(app: FastifyInstance, deps: GatewayDeps): void {
  app.get('/v1/models', async (request, reply) => {
    const ctx = createRequestContext({ requestId: request.id, authorization: request.headers.authorization, body: undefined, signal: new AbortController().signal });
    const refusal = await identify(ctx, deps);
    if (refusal) {
      return reply.code(refusal.status).send({ error: { message: refusal.message, type: refusal.type, code: refusal.code, param: null, enclave: { request_id: request.id, rule: refusal.rule } } });
    }
    const data = deps.models.list().filter((m) => mayUseModel(m, ctx.principal!.roles)).map((m) => ({
      id: m.id, object: 'model', created: STARTED, owned_by: 'enclave',
      enclave: { backend: m.kind, accredited: m.accreditedText, retrieval: m.retrieval, description: m.description },
    }));
    return reply.send({ object: 'list', data });
  });
}
