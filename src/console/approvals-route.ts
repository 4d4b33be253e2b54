/**
 * The approvals queue for the console: the pending requests the signed-in approver may see, with
 * tool, arguments, justification, requester, the policies that held it and its deadline; approve
 * (reason + TOTP) and reject (reason), rate limited. Every call goes through the approval service,
 * the same one /v1/approvals uses, so the two-person rule and TOTP are enforced there.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { APPROVAL_STATUSES, toApprovalView, type ApprovalRecord, type ApprovalStatus } from '../approvals/index.ts';
import type { ConsoleContext } from './context.ts';

const ID = /^[A-Za-z0-9_-]{1,128}$/;
const approveSchema = z.object({ reason: z.string().trim().min(1, 'Give a reason.').max(2000), totp: z.string().regex(/^\d{6}$/, 'The TOTP code is 6 digits.').optional() }).strict();
const rejectSchema = z.object({ reason: z.string().trim().min(1, 'Give a reason.').max(2000) }).strict();

function view(r: ApprovalRecord, now: number) {
  return { ...toApprovalView(r), seconds_left: Math.max(0, Math.floor((Date.parse(r.expiresAt) - now) / 1000)) };
}

export function registerApprovalRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const limit = { config: { rateLimit: { max: ctx.config.approval_rate_per_minute, timeWindow: 60_000 } } };
  const unavailable = { error: { message: 'Approvals are not configured on this gateway.', code: 'approvals_unavailable' } };

  app.get('/api/approvals', async (request, reply) => {
    const session = await ctx.requireSession(request, reply);
    if (!session) return reply;
    if (!ctx.approvals) return reply.code(503).send(unavailable);
    const q = (request.query as Record<string, unknown>).status;
    const status = typeof q === 'string' && (APPROVAL_STATUSES as readonly string[]).includes(q) ? q as ApprovalStatus : 'pending';
    const list = await ctx.approvals.list(session.principal, { status, limit: 100 });
    const now = ctx.now();
    return reply.send({ data: list.map((r) => view(r, now)), user: session.principal.id });
  });

  app.get('/api/approvals/:id', async (request, reply) => {
    const session = await ctx.requireSession(request, reply);
    if (!session) return reply;
    if (!ctx.approvals) return reply.code(503).send(unavailable);
    const id = (request.params as { id: string }).id;
    const r = ID.test(id) ? await ctx.approvals.get(session.principal, id) : undefined;
    if (!r) return reply.code(404).send({ error: { message: 'No such request, or you may not see it.', code: 'not_found' } });
    return reply.send(view(r, ctx.now()));
  });

  app.post('/api/approvals/:id/:verb', limit, async (request, reply) => {
    const session = await ctx.requireSession(request, reply, { csrf: true });
    if (!session) return reply;
    if (!ctx.approvals) return reply.code(503).send(unavailable);
    const { id, verb } = request.params as { id: string; verb: string };
    if (!ID.test(id) || (verb !== 'approve' && verb !== 'reject')) return reply.code(404).send({ error: { message: 'Unknown action.', code: 'not_found' } });
    const parsed = (verb === 'approve' ? approveSchema : rejectSchema).safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: { message: parsed.error.issues[0]?.message ?? 'Invalid input.', code: 'invalid_request' } });
    const input = parsed.data as { reason: string; totp?: string };
    const outcome = verb === 'approve'
      ? await ctx.approvals.approve(session.principal, id, { reason: input.reason, ...(input.totp ? { totp: input.totp } : {}), requestId: request.id })
      : await ctx.approvals.reject(session.principal, id, { reason: input.reason, requestId: request.id });
    if (outcome.kind === 'not_found') return reply.code(404).send({ error: { message: 'No such request, or you may not see it.', code: 'not_found' } });
    if (outcome.kind === 'refused') return reply.code(outcome.status).send({ error: { message: outcome.message, code: outcome.code, rule: outcome.rule, audit_ref: outcome.auditRef } });
    return reply.send({ ...view(outcome.record, ctx.now()), audit_ref: outcome.auditRef });
  });
}
