/**
 * The policy requests this part asks: `call_tool` on a Tool, `approve` on an Approval. The
 * decision function is injected (the gateway passes its policy engine's `decide`), so every
 * allow, deny and hold here is the policy engine's own.
 */
import { mfaAgeSeconds, type Principal } from '../identity/index.ts';
import type { Decision, PolicyPrincipal, PolicyRequest, PolicySignal } from '../policy/index.ts';
import type { ApprovalRecord } from './store.ts';
import type { RegisteredTool } from './tools.ts';

/** The policy engine's decide (PolicyEngine['decide']): never throws, fails closed. */
export type DecideFunction = (request: PolicyRequest) => Decision;

/**
 * Who the policy is asked about: an authenticated principal (with how it authenticated), or a
 * stored requester (without).
 */
export type PolicySubject = Pick<Principal, 'id' | 'clearance' | 'nationality' | 'roles'> & { readonly auth?: Principal['auth'] };

/**
 * The principal as the policy sees it. Compartments are the clearance's lattice categories
 * (SCI, SAR-xx, AEA). Releasability bits are not needed: these requests carry no label (an
 * action's label is UNCLASSIFIED), so the lattice policies never compare them. `mfaAgeSeconds`
 * is set when known: `mfaAge` when given, else from an OIDC sign-in's time (mfaAgeSeconds).
 */
export function toPolicyPrincipal(principal: PolicySubject, mfaAge?: number): PolicyPrincipal {
  const c = principal.clearance;
  const mfa = mfaAge ?? mfaAgeSeconds(principal, Date.now());
  return {
    id: principal.id,
    clearance: { level: c.level, compartments: [...c.sci, ...c.sap.map((s) => `SAR-${s}`), ...c.aea] },
    nationality: principal.nationality,
    roles: [...principal.roles],
    ...(mfa !== undefined ? { mfaAgeSeconds: mfa } : {}),
  };
}

/** Guard signals as stored with a held request, replayed when it executes. */
export function signalsOf(context: Record<string, unknown>): PolicySignal[] {
  return Array.isArray(context.signals) ? (context.signals as PolicySignal[]) : [];
}

/** `call_tool` for `principal` on `tool`; `approved` once approvers have satisfied the holds. */
export function callToolRequest(principal: PolicySubject, tool: RegisteredTool, signals: readonly PolicySignal[], approved = false): PolicyRequest {
  return {
    principal: toPolicyPrincipal(principal), action: 'call_tool',
    resource: { type: 'Tool', id: tool.name, effect: tool.effect, approvalsRequired: tool.approvalsRequired, approverRoles: [...tool.approverRoles] },
    context: { signals: [...signals], ...(approved ? { approved: true } : {}) },
  };
}

/**
 * `approve` for `approver` on a held request, with the approvers counted so far. A TOTP code in
 * this request is multi-factor authentication completed now (mfa_age_seconds 0); the request is
 * refused later in the same call unless the code verifies.
 */
export function approveRequest(approver: PolicySubject, record: ApprovalRecord, totpFresh: boolean): PolicyRequest {
  return {
    principal: toPolicyPrincipal(approver, totpFresh ? 0 : undefined), action: 'approve',
    resource: {
      type: 'Approval', id: record.id, requesterId: record.requester, approverIds: record.votes.map((v) => v.approver),
      approverRoles: [...record.approverRoles], approvalsRequired: record.approvalsRequired, effect: record.effect,
      action: record.kind === 'unmask' ? 'unmask' : 'call_tool',
    },
    context: { totpFresh },
  };
}
