/**
 * /v1/approvals: approvers list, read, approve and reject held requests; requesters long-poll
 * one until it settles. /v1/receipts/keys publishes the keys tools verify receipts with.
 * Approve and reject are rate limited per principal (one budget for both), with the same limiter
 * the console uses (@fastify/rate-limit), so TOTP codes cannot be tried at speed.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { APPROVAL_STATUSES, toApprovalView, type ApprovalRecord, type ApprovalService } from '../../approvals/index.ts';
import type { Principal } from '../../identity/index.ts';
import { authenticate, parseInput, sendApiError, type CallerAuth } from '../http-input.ts';

/** Approve and reject calls per principal per minute when the deployment does not say. */
export const DEFAULT_APPROVAL_RATE_PER_MINUTE = 30;
const RATE_WINDOW_MS = 60_000;

export interface ApprovalRouteDeps {
  approvals: ApprovalService;
  /** How callers authenticate: API keys in the store, or OIDC access tokens. */
  auth: CallerAuth;
  /** Approve and reject calls one principal may make per minute (default 30). */
  approvalRatePerMinute?: number;
}

export function notFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendApiError(request, reply, { status: 404, type: 'not_found_error', code: 'approval_not_found', rule: 'approval.not_found', message: 'No such approval request, or you may not see it.' });
}

/** The approval body with the request's id and audit reference. */
export function approvalBody(request: FastifyRequest, record: ApprovalRecord, auditRef?: string): Record<string, unknown> {
  return { ...toApprovalView(record), enclave: { request_id: request.id, ...(auditRef ? { audit_ref: auditRef } : {}) } };
}

const ID = z.object({ id: z.string().regex(/^apr_[A-Za-z0-9_-]{1,64}$/) });
const INT = (max: number) => z.string().regex(/^\d{1,6}$/, 'a whole number').transform(Number).pipe(z.number().int().min(0).max(max));
const listQuery = z.strictObject({
  status: z.enum(APPROVAL_STATUSES).optional(),
  kind: z.enum(['action', 'unmask']).optional(),
  before: z.iso.datetime().optional(),
  limit: INT(200).pipe(z.number().min(1)).optional(),
});
const getQuery = z.strictObject({ wait: INT(3600).optional() });
const approveBody = z.strictObject({
  reason: z.string().max(4000).default(''),
  totp: z.string().regex(/^[0-9]{6}$/, 'a 6-digit code').optional(),
});
const rejectBody = z.strictObject({ reason: z.string().trim().min(1, 'say why').max(4000) });

/** Registers the approval routes and ties the service's sweeper to the app's lifetime. */
export function registerApprovalRoutes(app: FastifyInstance, deps: ApprovalRouteDeps): void {
  const { approvals, auth } = deps;
  const ratePerMinute = deps.approvalRatePerMinute ?? DEFAULT_APPROVAL_RATE_PER_MINUTE;
  app.addHook('onReady', async () => approvals.start());
  // Releases long polls first, so closing does not wait out their timeouts.
  app.addHook('preClose', async () => approvals.close());

  app.get('/v1/receipts/keys', async (_request, reply) => reply.header('cache-control', 'max-age=300').send(approvals.signer.jwks()));

  app.get('/v1/approvals', async (request, reply) => {
    const principal = await authenticate(request, reply, auth);
    if (!principal) return reply;
    const q = await parseInput(request, reply, listQuery, request.query, 'query');
    if (!q) return reply;
    const records = await approvals.list(principal, {
      ...(q.status ? { status: q.status } : {}), ...(q.kind ? { kind: q.kind } : {}),
      ...(q.before ? { before: new Date(q.before).toISOString() } : {}), limit: q.limit ?? 50,
    });
    return reply.send({ object: 'list', data: records.map(toApprovalView) });
  });

  app.get('/v1/approvals/:id', async (request, reply) => {
    const principal = await authenticate(request, reply, auth);
    if (!principal) return reply;
    const params = ID.safeParse(request.params);
    if (!params.success) return notFound(request, reply);
    const q = await parseInput(request, reply, getQuery, request.query, 'query');
    if (!q) return reply;
    const wait = Math.min(q.wait ?? 0, approvals.settings.max_wait_seconds);
    const abort = new AbortController();
    reply.raw.once('close', () => { if (!reply.raw.writableFinished) abort.abort(); });
    const record = wait > 0
      ? await approvals.wait(principal, params.data.id, wait, abort.signal)
      : await approvals.get(principal, params.data.id);
    if (!record) return notFound(request, reply);
    return reply.send(approvalBody(request, record));
  });

  // Approve and reject in their own scope, so the limiter's hooks touch no other route. The caller
  // is authenticated first (a 401 spends nobody's budget), then counted against its principal.
  app.register(async (scope) => {
    await scope.register(rateLimit, { global: false });
    const callers = new WeakMap<FastifyRequest, Principal>();
    const limiter = scope.createRateLimit({ max: ratePerMinute, timeWindow: RATE_WINDOW_MS, keyGenerator: (request) => `principal:${callers.get(request)!.id}` });
    /** The caller, counted against its budget; undefined after a 401 or 429 was sent. */
    const limitedCaller = async (request: FastifyRequest, reply: FastifyReply): Promise<Principal | undefined> => {
      const principal = await authenticate(request, reply, auth);
      if (!principal) return undefined;
      callers.set(request, principal);
      const limit = await limiter(request);
      if (limit.isAllowed || !limit.isExceeded) return principal;
      // OpenAI's shape and its type for this status (the SDKs raise RateLimitError on 429).
      await reply.code(429).header('retry-after', String(limit.ttlInSeconds)).type('application/json').send({
        error: {
          message: `Too many approve and reject calls: at most ${limit.max} a minute. Try again in ${limit.ttlInSeconds} s.`,
          type: 'rate_limit_error', code: 'rate_limit_exceeded', param: null, enclave: { request_id: request.id, rule: 'approval.rate_limit' },
        },
      });
      return undefined;
    };

    scope.post('/v1/approvals/:id/approve', async (request, reply) => {
      const principal = await limitedCaller(request, reply);
      if (!principal) return reply;
      const params = ID.safeParse(request.params);
      if (!params.success) return notFound(request, reply);
      const body = await parseInput(request, reply, approveBody, request.body, 'body');
      if (!body) return reply;
      const outcome = await approvals.approve(principal, params.data.id, { reason: body.reason, ...(body.totp ? { totp: body.totp } : {}), requestId: request.id });
      if (outcome.kind === 'not_found') return notFound(request, reply);
      if (outcome.kind === 'refused') {
        return sendApiError(request, reply, {
          status: outcome.status, type: outcome.status === 409 ? 'invalid_request_error' : 'permission_error', code: outcome.code, rule: outcome.rule,
          message: outcome.message, param: outcome.code.startsWith('totp_') ? 'totp' : null, enclave: { audit_ref: outcome.auditRef, approval_id: params.data.id },
        });
      }
      return reply.send(approvalBody(request, outcome.record, outcome.auditRef));
    });

    scope.post('/v1/approvals/:id/reject', async (request, reply) => {
      const principal = await limitedCaller(request, reply);
      if (!principal) return reply;
      const params = ID.safeParse(request.params);
      if (!params.success) return notFound(request, reply);
      const body = await parseInput(request, reply, rejectBody, request.body, 'body');
      if (!body) return reply;
      const outcome = await approvals.reject(principal, params.data.id, { reason: body.reason, requestId: request.id });
      if (outcome.kind === 'not_found') return notFound(request, reply);
      if (outcome.kind === 'refused') {
        return sendApiError(request, reply, {
          status: outcome.status, type: 'invalid_request_error', code: outcome.code, rule: outcome.rule, message: outcome.message,
          enclave: { audit_ref: outcome.auditRef, approval_id: params.data.id },
        });
      }
      return reply.send(approvalBody(request, outcome.record, outcome.auditRef));
    });
  });
}
