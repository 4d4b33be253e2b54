/**
 * POST /console/api/ask: a question over the corpus, answered through the same pipeline as
 * /v1/chat/completions (runChat with the session's principal), streamed as server-sent events:
 * `meta` (the answer's classification, known before the first word), `delta`, then `done` with the
 * citations and their portion marks, or `error`. The banner is sent as data, not inline text, so the
 * page draws it above and below the answer.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createRequestContext, portionGateFor, runChat, type Citation } from '../gateway/index.ts';
import { mayUseModel } from '../inference/index.ts';
import { countWithheld } from '../retrieval/index.ts';
import type { ConsoleContext } from './context.ts';

const askSchema = z.object({
  question: z.string().trim().min(1, 'Ask a question.').max(8000, 'The question is too long (8,000 characters at most).'),
  model: z.string().min(1).max(128).optional(),
}).strict();

/** The text mark() appends in header mode: shown by the page as a list, so not repeated in the text. */
function sourcesSuffix(citations: readonly Citation[]): string {
  return citations.length === 0 ? '' : '\n\nSources:\n' + citations.map((c) => `[${c.id}] ${c.portionMark} ${c.title}`).join('\n');
}

export function registerAskRoute(app: FastifyInstance, ctx: ConsoleContext): void {
  app.post('/api/ask', async (request, reply) => {
    const session = await ctx.requireSession(request, reply, { csrf: true });
    if (!session) return reply;
    const parsed = askSchema.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: { message: parsed.error.issues[0]?.message ?? 'Invalid question.', code: 'invalid_request' } });
    const principal = session.principal;
    const usable = ctx.gateway.models.list().filter((m) => mayUseModel(m, principal.roles));
    const model = parsed.data.model ?? (usable.find((m) => m.retrieval) ?? usable[0])?.id;
    if (!model) return reply.code(403).send({ error: { message: 'No model is available to your roles.', code: 'no_model' } });

    const abort = new AbortController();
    reply.raw.once('close', () => { if (!reply.raw.writableFinished) abort.abort(); });
    const chatBody = { model, stream: true, messages: [{ role: 'user', content: parsed.data.question }] };
    const chatCtx = createRequestContext({ requestId: request.id, authorization: undefined, body: chatBody, signal: abort.signal, principal });
    const outcome = await runChat(chatCtx, { ...ctx.gateway, banner: 'header' });
    if (outcome.kind === 'refused') return reply.code(outcome.refusal.status).send(outcome.error);

    // Hidden by the clearance filter, plus what policy refused among the portions retrieval considered.
    const policy = portionGateFor(ctx.gateway, principal, { nowMs: ctx.now() });
    const withheld = ctx.corpus && ctx.config.show_withheld_count
      ? await countWithheld(ctx.corpus, principal, parsed.data.question, { policy, ...(ctx.retrieval?.allowedControls ? { allowedControls: ctx.retrieval.allowedControls } : {}) })
        .then((n) => n + chatCtx.withheld.length, () => null)
      : null;
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      ...reply.getHeaders() as Record<string, string>,
      'x-enclave-classification': outcome.classification,
      'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no',
    });
    const send = async (event: string, data: unknown) => {
      if (raw.destroyed) return;
      if (!raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)) {
        await new Promise<void>((resolve) => { raw.once('drain', resolve); raw.once('close', resolve); });
      }
    };
    await send('meta', { classification: outcome.classification, model });
    try {
      if (outcome.kind === 'completed') {
        const choice = (outcome.body.choices as Array<{ message: { content: string | null } }>)[0];
        const info = outcome.body.enclave as { citations: Citation[]; audit_ref?: string };
        const text = choice?.message.content ?? '';
        const suffix = sourcesSuffix(info.citations);
        await send('delta', { text: suffix && text.endsWith(suffix) ? text.slice(0, -suffix.length) : text });
        await send('done', { classification: outcome.classification, citations: info.citations, withheld, audit_ref: info.audit_ref ?? null });
        return reply;
      }
      // One piece is held back: the last one before the finish is the sources list, drawn by the page.
      let held: string | undefined;
      for await (const event of outcome.events) {
        if (abort.signal.aborted) break;
        if ('error' in event) {
          if (held) await send('delta', { text: held });
          const e = event.error as { message: string; code: string; enclave?: { rule?: string } };
          await send('error', { message: e.message, code: e.code, rule: e.enclave?.rule ?? null });
          return reply;
        }
        const choice = (event.choices as Array<{ delta: { content?: string }; finish_reason: string | null }> | undefined)?.[0];
        if (choice?.finish_reason) {
          const info = event.enclave as { citations: Citation[]; classification?: string; audit_ref?: string };
          if (held && held !== sourcesSuffix(info.citations)) await send('delta', { text: held });
          await send('done', { classification: info.classification ?? outcome.classification, citations: info.citations, withheld, audit_ref: info.audit_ref ?? null });
          held = undefined;
          continue;
        }
        const text = choice?.delta.content;
        if (text) {
          if (held !== undefined) await send('delta', { text: held });
          held = text;
        }
      }
    } catch (err) {
      request.log.error({ err }, 'console ask: stream failed');
      await send('error', { message: 'The answer failed part-way. Try again.', code: 'internal_error', rule: null });
    } finally {
      raw.end();
    }
    return reply;
  });
}
