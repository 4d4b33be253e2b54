/** The HTTP server: fastify, the OpenAI-compatible routes, and one error path. */
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { readFileSync } from 'node:fs';
import { randomId } from '../crypto/index.ts';
import type { GatewayDeps } from '../gateway/index.ts';
import { describeHttpError, sendError } from './http-errors.ts';
import { CLASSIFICATION_HEADER, registerChatRoute } from './routes/chat.ts';
import { registerCorpusRoutes } from './routes/corpus.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerModelRoutes } from './routes/models.ts';

export interface TlsOptions {
  cert: string;
  key: string;
  client_ca?: string;
  require_client_cert: boolean;
}

export interface AppOptions {
  bodyLimit: number;
  tls?: TlsOptions;
  trustProxy?: boolean;
}

const REQUEST_ID_HEADER = 'x-enclave-request-id';

function httpsOptions(tls: TlsOptions) {
  return {
    cert: readFileSync(tls.cert), key: readFileSync(tls.key),
    ...(tls.client_ca ? { ca: readFileSync(tls.client_ca), requestCert: true, rejectUnauthorized: tls.require_client_cert } : {}),
    minVersion: 'TLSv1.2' as const,
  };
}

/** Builds the fastify app for a gateway. The caller listens and closes it. */
export function buildApp(deps: GatewayDeps, options: AppOptions): FastifyInstance {
  const base: FastifyServerOptions = {
    loggerInstance: deps.logger,
    // Request logging is ours (onResponse below): metadata only, never bodies.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    bodyLimit: options.bodyLimit,
    trustProxy: options.trustProxy ?? false,
    genReqId: () => randomId('req_'),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  };
  const app = (options.tls
    ? Fastify({ ...base, https: httpsOptions(options.tls) } as FastifyServerOptions)
    : Fastify(base)) as unknown as FastifyInstance;

  // The API speaks JSON only; a text/plain body is refused with 415 rather than parsed as a string.
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    reply.header(CLASSIFICATION_HEADER, 'UNCLASSIFIED');
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    deps.metrics.requests.inc({ route, status: String(reply.statusCode) });
    deps.metrics.latency.observe({ route, stream: String(reply.getHeader('content-type') ?? '').startsWith('text/event-stream') ? 'true' : 'false' }, reply.elapsedTime / 1000);
    request.log.info({ method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100 }, 'request');
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const shape = describeHttpError(err);
    if (shape.status >= 500) request.log.error({ err }, 'unhandled error');
    return sendError(request, reply, shape);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, { status: 404, type: 'invalid_request_error', code: 'unknown_url', message: `Unknown request URL: ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}` }));

  registerHealthRoutes(app, deps);
  registerModelRoutes(app, deps);
  registerChatRoute(app, deps);
  registerCorpusRoutes(app, deps);
  return app;
}
