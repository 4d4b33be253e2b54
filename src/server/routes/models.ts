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
    const data: Array<{ id: string; object: string; created: number; owned_by: string; enclave: Record<string, unknown> }> = deps.models.list().filter((m) => mayUseModel(m, ctx.principal!.roles)).map((m) => ({
      id: m.id, object: 'model', created: STARTED, owned_by: 'enclave',
      enclave: { backend: m.kind, accredited: m.accreditedText, retrieval: m.retrieval, description: m.description },
    }));
    for (const [id, members] of deps.routeGroups ?? []) {
      const usable = members.filter((m) => { const e = deps.models.get(m); return e && mayUseModel(e, ctx.principal!.roles); });
      if (usable.length > 0) data.push({ id, object: 'model', created: STARTED, owned_by: 'enclave', enclave: { backend: 'route_group', accredited: usable.map((m) => deps.models.get(m)!.accreditedText).join(' | '), retrieval: deps.models.get(usable[0]!)!.retrieval, description: `chooses among ${usable.join(', ')} by accreditation` } });
    }
    return reply.send({ object: 'list', data });
  });
}
