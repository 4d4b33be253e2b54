/** POST /v1/chat/completions: the OpenAI-compatible entry into the pipeline. */
import type { FastifyInstance } from 'fastify';
import { createRequestContext, runChat, type GatewayDeps } from '../../gateway/index.ts';

export const CLASSIFICATION_HEADER = 'x-enclave-classification';

export function registerChatRoute(app: FastifyInstance, deps: GatewayDeps): void {
  app.post('/v1/chat/completions', async (request, reply) => {
    const abort = new AbortController();
    // The socket closing before we finish means the client went away: stop the upstream work.
    reply.raw.once('close', () => { if (!reply.raw.writableFinished) abort.abort(); });
    const ctx = createRequestContext({ requestId: request.id, authorization: request.headers.authorization, body: request.body, signal: abort.signal });
    const outcome = await runChat(ctx, deps);

    if (outcome.kind === 'refused') {
      return reply.code(outcome.refusal.status).send(outcome.error);
    }
    reply.header(CLASSIFICATION_HEADER, outcome.classification);
    if (outcome.kind === 'completed') return reply.send(outcome.body);

    // Streaming: take over the raw response and relay each event as it is produced.
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      ...reply.getHeaders() as Record<string, string>,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    let failed = false;
    try {
      for await (const event of outcome.events) {
        if (abort.signal.aborted) break;
        if ('error' in event) failed = true;
        if (!raw.write(`data: ${JSON.stringify(event)}\n\n`)) {
          await new Promise<void>((resolve) => { raw.once('drain', resolve); raw.once('close', resolve); });
        }
      }
      if (!failed && !abort.signal.aborted) raw.write('data: [DONE]\n\n');
    } catch (err) {
      request.log.error({ err }, 'stream failed');
      if (!raw.destroyed) raw.write(`data: ${JSON.stringify({ error: { message: 'Internal error.', type: 'server_error', code: 'internal_error', param: null, enclave: { request_id: request.id } } })}\n\n`);
    } finally {
      raw.end();
    }
    return reply;
  });
}
