/**
 * POST /v1/actions: a client (or agent) asks Enclave to run a registered tool. Policy decides:
 * allowed calls run at once (200), denied ones get 403, held ones 202 with the approval to
 * long-poll at GET /v1/approvals/{id}?wait=30.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { TOOL_NAME } from '../../approvals/index.ts';
import { authenticate, parseInput, sendApiError } from '../http-input.ts';
import { approvalBody, type ApprovalRouteDeps } from './approvals.ts';

const actionBody = z.strictObject({
  tool: z.string().regex(TOOL_NAME, 'a registered tool name'),
  arguments: z.record(z.string(), z.json()).default({}),
  justification: z.string().max(4000).optional(),
});

const FAILURES: Record<string, { status: number; message: string }> = {
  tool_timeout: { status: 504, message: 'The tool did not answer in time; it may or may not have acted, and will not be called again.' },
  tool_unreachable: { status: 502, message: 'The tool could not be reached.' },
  policy_denied: { status: 403, message: 'Policy no longer allows this action.' },
};

export function registerActionRoutes(app: FastifyInstance, deps: ApprovalRouteDeps): void {
  const { approvals, auth } = deps;

  app.post('/v1/actions', async (request, reply) => {
    const principal = await authenticate(request, reply, auth);
    if (!principal) return reply;
    const body = await parseInput(request, reply, actionBody, request.body, 'body');
    if (!body) return reply;
    const outcome = await approvals.requestAction(principal, {
      tool: body.tool, arguments: body.arguments, ...(body.justification !== undefined ? { justification: body.justification } : {}), requestId: request.id,
    });
    switch (outcome.kind) {
      case 'unknown_tool':
        return sendApiError(request, reply, { status: 404, type: 'not_found_error', code: 'tool_not_found', param: 'tool', rule: 'action.unknown_tool', message: `No registered tool "${outcome.tool}".` });
      case 'invalid_arguments':
        return sendApiError(request, reply, { status: 400, type: 'invalid_request_error', code: 'invalid_arguments', param: outcome.param, rule: 'action.arguments', message: outcome.message });
      case 'justification_required':
        return sendApiError(request, reply, {
          status: 400, type: 'invalid_request_error', code: 'justification_required', param: 'justification', rule: outcome.decision.policyIds[0] ?? 'action.hold',
          message: `This action needs approval (${outcome.decision.reasons[0] ?? 'held by policy'}); say why in "justification" for the approvers.`,
        });
      case 'denied':
        return sendApiError(request, reply, {
          status: 403, type: 'permission_error', code: 'action_denied', rule: outcome.decision.policyIds[0] ?? 'default.deny',
          message: `Refused: ${outcome.decision.reasons[0] ?? 'no policy permits this action'}.`,
          enclave: { audit_ref: outcome.auditRef, policy_ids: outcome.decision.policyIds },
        });
      case 'held':
        reply.header('location', `/v1/approvals/${outcome.record.id}`);
        return reply.code(202).send(approvalBody(request, outcome.record, outcome.auditRef));
      case 'done': {
        const r = outcome.record;
        // Executed; or (rarely) still running or expired before it could run: the body says which.
        if (r.status !== 'failed') return reply.code(r.status === 'executed' ? 200 : 202).send(approvalBody(request, r, outcome.auditRef));
        const known = FAILURES[r.error ?? ''];
        const toolStatus = typeof r.result?.status === 'number' ? r.result.status : undefined;
        return sendApiError(request, reply, {
          status: known?.status ?? 502, type: known?.status === 403 ? 'permission_error' : 'server_error', code: r.error ?? 'tool_failed', rule: 'action.execute',
          message: known?.message ?? `The tool failed${toolStatus ? ` with HTTP ${toolStatus}` : ''}.`,
          enclave: { audit_ref: outcome.auditRef, approval_id: r.id },
        });
      }
    }
  });
}
