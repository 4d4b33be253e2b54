/**
 * POST /v1/unmask: a written request to see the identity behind a `U.S. PERSON n` placeholder
 * (ICPG 107.1). Policy decides; by default a designated official must approve. Once approved,
 * that caller's answers show the identity until the grant expires; nobody else's do.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { UNMASK_MIN_JUSTIFICATION, toApprovalView, type ApprovalService } from '../../approvals/index.ts';
import { toPolicyLabel, toPolicyPrincipal, type DecisionCache, type GatewayDeps } from '../../gateway/index.ts';
import { UNCLASSIFIED, tryParseMarking } from '../../markings/index.ts';
import { authenticate, parseInput, sendApiError, type CallerAuth } from '../http-input.ts';

const body = z.strictObject({
  /** The opaque subject an answer's `enclave.masked` names, e.g. `usper:3f2a...`. */
  subject: z.string().regex(/^usper:[0-9a-f]{16,64}$/, 'a subject from an answer\'s enclave.masked list'),
  justification: z.string().min(UNMASK_MIN_JUSTIFICATION, `a written justification of at least ${UNMASK_MIN_JUSTIFICATION} characters`).max(4000),
  /** The classification of the answer the placeholder appeared in. */
  classification: z.string().max(512).optional(),
  request_id: z.string().max(64).optional(),
});

export interface UnmaskRouteDeps {
  approvals: ApprovalService;
  decisions: DecisionCache;
  auth: CallerAuth;
}

export function registerUnmaskRoute(app: FastifyInstance, deps: UnmaskRouteDeps & Pick<GatewayDeps, 'logger'>): void {
  app.post('/v1/unmask', async (request, reply) => {
    const principal = await authenticate(request, reply, deps.auth);
    if (!principal) return reply;
    const input = await parseInput(request, reply, body, request.body, 'body');
    if (!input) return reply;
    const parsed = input.classification ? tryParseMarking(input.classification) : { ok: true as const, label: UNCLASSIFIED };
    if (!parsed.ok) return sendApiError(request, reply, { status: 400, type: 'invalid_request_error', code: 'invalid_request', param: 'classification', rule: 'http.invalid_body', message: `classification: ${parsed.error.message}` });
    const decision = deps.decisions.decide({
      principal: toPolicyPrincipal(principal),
      action: 'unmask',
      resource: { type: 'Portion', id: input.subject, label: toPolicyLabel(parsed.label, principal.nationality) },
    });
    const outcome = await deps.approvals.openUnmaskRequest(principal, {
      subject: input.subject, justification: input.justification, decision, requestId: input.request_id ?? request.id,
      details: { subject: input.subject, classification: input.classification ?? 'UNCLASSIFIED', answer_request_id: input.request_id ?? null },
    });
    switch (outcome.kind) {
      case 'denied':
        return sendApiError(request, reply, { status: 403, type: 'permission_error', code: 'unmask_denied', rule: decision.policyIds[0] ?? 'default.deny', message: `Unmasking refused: ${decision.reasons[0] ?? 'no policy permits it'}.`, enclave: { audit_ref: outcome.auditRef } });
      case 'justification_required':
        return sendApiError(request, reply, { status: 400, type: 'invalid_request_error', code: 'justification_required', param: 'justification', rule: 'unmask.justification', message: 'A written justification is required.' });
      default:
        return reply.code(outcome.kind === 'held' ? 202 : 200).send({ ...toApprovalView(outcome.record), audit_ref: outcome.auditRef });
    }
  });
}
