/**
 * What every API route shares: the caller (API key or OIDC access token, through the gateway's
 * identify stage), zod-checked input, and errors in OpenAI's shape with the `enclave` object.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { createRequestContext, identify, type GatewayDeps } from '../gateway/index.ts';
import type { Principal } from '../identity/index.ts';

export interface ApiError {
  status: number;
  type: 'invalid_request_error' | 'authentication_error' | 'permission_error' | 'not_found_error' | 'server_error';
  code: string;
  message: string;
  param?: string | null;
  rule: string;
  /** More `enclave` members: audit_ref, approval_id, policy_ids. */
  enclave?: Record<string, unknown>;
}

/** Sends an OpenAI-shaped error: `{error:{message,type,code,param,enclave:{request_id,rule,...}}}`. */
export function sendApiError(request: FastifyRequest, reply: FastifyReply, e: ApiError): FastifyReply {
  return reply.code(e.status).type('application/json').send({
    error: { message: e.message, type: e.type, code: e.code, param: e.param ?? null, enclave: { request_id: request.id, rule: e.rule, ...e.enclave } },
  });
}

/** What authentication needs of the gateway. */
export type CallerAuth = Pick<GatewayDeps, 'store' | 'oidc'>;

/** The caller, or undefined after the same 401 the pipeline gives was sent. */
export async function authenticate(request: FastifyRequest, reply: FastifyReply, auth: CallerAuth): Promise<Principal | undefined> {
  const ctx = createRequestContext({ requestId: request.id, authorization: request.headers.authorization, body: undefined, signal: new AbortController().signal });
  const refusal = await identify(ctx, auth as GatewayDeps);
  if (!refusal) return ctx.principal;
  await sendApiError(request, reply, { ...refusal, type: 'authentication_error' });
  return undefined;
}

/** Parses outside input with zod; on failure sends a 400 naming the first bad field. */
export async function parseInput<T>(request: FastifyRequest, reply: FastifyReply, schema: z.ZodType<T>, value: unknown, where: string): Promise<T | undefined> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue?.path.map(String).join('.') || null;
  await sendApiError(request, reply, {
    status: 400, type: 'invalid_request_error', code: 'invalid_request', param, rule: `http.invalid_${where}`,
    message: `${where}${param ? `.${param}` : ''}: ${issue?.message ?? 'invalid'}`,
  });
  return undefined;
}
