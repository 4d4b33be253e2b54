/** GET /healthz and GET /metrics. */
import type { FastifyInstance } from 'fastify';
import type { GatewayDeps } from '../../gateway/index.ts';

export function registerHealthRoutes(app: FastifyInstance, deps: GatewayDeps): void {
  app.get('/healthz', async (request, reply) => {
    try {
      await deps.store.ping();
      return reply.send({ status: 'ok', store: deps.store.kind, models: deps.models.list().length });
    } catch (err) {
      request.log.error({ err }, 'health check: store unavailable');
      return reply.code(503).send({ status: 'unavailable', store: deps.store.kind });
    }
  });
  app.get('/metrics', async (_request, reply) => {
    reply.type(deps.metrics.registry.contentType);
    return reply.send(await deps.metrics.registry.metrics());
  });
}
