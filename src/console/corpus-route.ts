/**
 * The corpus as the signed-in user may see it: documents whose banner their clearance dominates,
 * a count (never titles) of the others, a clearance-filtered search, and ingestion with progress
 * for administrators.
 */
import type { FastifyInstance } from 'fastify';
import { realpath } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { z } from 'zod';
import { checkAccess, tryParseMarking } from '../markings/index.ts';
import { portionGateFor, toPolicyPrincipal } from '../gateway/index.ts';
import { ingestPaths, searchCorpus } from '../retrieval/index.ts';
import type { ConsoleContext } from './context.ts';

const ingestSchema = z.object({ path: z.string().trim().min(1).max(4096) }).strict();

/** The real path of `path` when it lies under one of `roots` (links resolved on both sides), else undefined. */
async function underRoots(path: string, roots: readonly string[]): Promise<string | undefined> {
  const real = await realpath(resolve(path)).catch(() => undefined);
  if (!real) return undefined;
  for (const root of roots) {
    const r = await realpath(resolve(root)).catch(() => undefined);
    if (r && (real === r || real.startsWith(r.endsWith(sep) ? r : r + sep))) return real;
  }
  return undefined;
}

export function registerCorpusRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get('/api/corpus', async (request, reply) => {
    const session = await ctx.requireSession(request, reply);
    if (!session) return reply;
    if (!ctx.corpus) return reply.send({ configured: false, documents: [], withheld: 0, admin: false });
    const clearance = { label: session.principal.clearance, nationality: session.principal.nationality };
    const visible = [];
    let withheld = 0;
    for (const d of await ctx.corpus.listDocuments()) {
      const banner = tryParseMarking(d.banner);
      // A banner that does not parse is treated as above everyone: never shown.
      if (banner.ok && checkAccess(clearance, banner.label).allowed) {
        visible.push({ id: d.id, title: d.title, banner: d.banner, portions: d.portions, chunks: d.chunks, ingested_at: d.ingestedAt });
      } else withheld++;
    }
    const admin = session.principal.roles.some((r) => ctx.config.admin_roles.includes(r));
    return reply.header('cache-control', 'no-store').send({ configured: true, documents: visible, withheld, admin, ingest_roots: admin ? ctx.config.ingest_roots : [] });
  });

  app.get('/api/corpus/search', async (request, reply) => {
    const session = await ctx.requireSession(request, reply);
    if (!session) return reply;
    const q = (request.query as Record<string, unknown>).q;
    if (typeof q !== 'string' || q.trim().length === 0 || q.length > 1000) return reply.code(400).send({ error: { message: 'Search for one or more words.', code: 'invalid_request' } });
    if (!ctx.corpus) return reply.send({ hits: [] });
    const policy = portionGateFor(ctx.gateway, session.principal, { nowMs: ctx.now() });
    const hits = await searchCorpus(ctx.corpus, session.principal, q, { limit: 20, policy, ...(ctx.retrieval?.allowedControls ? { allowedControls: ctx.retrieval.allowedControls } : {}) });
    return reply.header('cache-control', 'no-store').send({
      hits: hits.map((h) => ({ portion_id: h.portionId, document_id: h.documentId, title: h.title, portion_mark: h.portionMark, snippet: h.snippet })),
    });
  });

  /** Ingests files under a path on the gateway host, streaming progress as server-sent events. */
  app.post('/api/corpus/ingest', async (request, reply) => {
    const session = await ctx.requireSession(request, reply, { csrf: true });
    if (!session) return reply;
    if (!session.principal.roles.some((r) => ctx.config.admin_roles.includes(r))) {
      return reply.code(403).send({ error: { message: 'Only administrators may ingest into the corpus.', code: 'forbidden' } });
    }
    // An administrative action: policy decides too (invariant.admin_mfa: MFA in the last 15 minutes).
    const decision = ctx.gateway.decisions.decide({ principal: toPolicyPrincipal(session.principal, ctx.now()), action: 'admin', resource: { type: 'System', id: 'corpus.ingest' } });
    const rule = decision.policyIds[0] ?? 'default.deny';
    if (decision.effect !== 'allow') {
      await ctx.gateway.recorder.record({ kind: 'decision', actor: session.principal.id, requestId: request.id, data: { action: 'corpus.ingest', decision: 'deny', rule, reason: decision.reasons[0] } });
      const stale = rule === 'invariant.admin_mfa';
      return reply.code(403).send({ error: {
        message: `Refused by policy ${rule}: ${decision.reasons[0] ?? 'no policy permits it'}.${stale ? ' Sign in again with MFA, then retry.' : ''}`,
        code: stale ? 'mfa_required' : 'policy_denied', rule,
        ...(stale ? { reauth: '/console/auth/login?fresh=1&return_to=/console/corpus' } : {}),
      } });
    }
    const parsed = ingestSchema.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: { message: 'Give the path of a file or folder on the gateway host.', code: 'invalid_request' } });
    if (!ctx.corpus) return reply.code(503).send({ error: { message: 'No corpus is configured.', code: 'no_corpus' } });
    const path = await underRoots(parsed.data.path, ctx.config.ingest_roots);
    if (!path) return reply.code(403).send({ error: { message: ctx.config.ingest_roots.length === 0 ? 'Console ingestion is off: configure console.ingest_roots.' : `The path must exist under ${ctx.config.ingest_roots.join(', ')}.`, code: 'path_not_allowed' } });
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { ...reply.getHeaders() as Record<string, string>, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' });
    const send = (event: string, data: unknown) => { if (!raw.destroyed) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`); };
    try {
      const report = await ingestPaths(ctx.corpus, [path], { onProgress: (p) => send('progress', p) });
      await ctx.gateway.recorder.record({ kind: 'decision', actor: session.principal.id, requestId: request.id, data: { action: 'corpus.ingest', decision: 'allow', rule, path, documents: report.documents } });
      send('done', report);
    } catch (err) {
      request.log.warn({ err }, 'console ingest failed');
      send('error', { message: 'Ingestion failed: check the path and the files, and the gateway log.' });
    } finally {
      raw.end();
    }
    return reply;
  });
}
