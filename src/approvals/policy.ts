/**
 * The policy requests this part asks: `call_tool` on a Tool, `approve` on an Approval. The
 * decision function is injected (the gateway passes its policy engine's `decide`), so every
 * allow, deny and hold here is the policy engine's own.
 */
import type { Principal } from '../identity/index.ts';
import type { Decision, PolicyPrincipal, PolicyRequest, PolicySignal } from '../policy/index.ts';
import type { ApprovalRecord } from './store.ts';
import type { RegisteredTool } from './tools.ts';

/** The policy engine's decide (PolicyEngine['decide']): never throws, fails closed. */
export type DecideFunction = (request: PolicyRequest) => Decision;

/** Who the policy is asked about: an authenticated principal, or a stored requester. */
export type PolicySubject = Pick<Principal, 'id' | 'clearance' | 'nationality' | 'roles'>;

/**
 * The principal as the policy sees it. Compartments are the clearance's lattice categories
 * (SCI, SAR-xx, AEA). Releasability bits are not needed: these requests carry no label (an
 * action's label is UNCLASSIFIED), so the lattice policies never compare them.
 */
export function toPolicyPrincipal(principal: PolicySubject): PolicyPrincipal {
  const c = principal.clearance;
  return {
    id: principal.id,
    clearance: { level: c.level, compartments: [...c.sci, ...c.sap.map((s) => `SAR-${s}`), ...c.aea] },
    nationality: principal.nationality,
    roles: [...principal.roles],
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

/** `approve` for `approver` on a held request, with the approvers counted so far. */
export function approveRequest(approver: PolicySubject, record: ApprovalRecord, totpFresh: boolean): PolicyRequest {
  return {
    principal: toPolicyPrincipal(approver), action: 'approve',
    resource: {
      type: 'Approval', id: record.id, requesterId: record.requester, approverIds: record.votes.map((v) => v.approver),
      approverRoles: [...record.approverRoles], approvalsRequired: record.approvalsRequired, effect: record.effect,
      action: record.kind === 'unmask' ? 'unmask' : 'call_tool',
    },
    context: { totpFresh },
  };
}
