/**
 * Asking for an action: policy decides; an allowed call executes at once, a denied one is
 * refused, a held one becomes a pending approval. The same path reviews a model's tool calls.
 */
import { randomId } from '../crypto/index.ts';
import type { Principal } from '../identity/index.ts';
import type { Decision, PolicySignal } from '../policy/index.ts';
import { argumentsDigest, canonicalJson } from './canonical.ts';
import type { ApprovalContext } from './context.ts';
import { executeApproved } from './execute.ts';
import { callToolRequest } from './policy.ts';
import type { ApprovalRecord, NewApprovalRequest } from './store.ts';
import { checkArguments, type RegisteredTool } from './tools.ts';

export interface ActionInput {
  tool: string;
  arguments: Record<string, unknown>;
  justification?: string;
  requestId: string | null;
  /** Guard signals of the request this action belongs to (a chat's, for model tool calls). */
  signals?: readonly PolicySignal[];
}

export type ActionOutcome =
  | { kind: 'unknown_tool'; tool: string }
  | { kind: 'invalid_arguments'; param: string; message: string }
  | { kind: 'justification_required'; decision: Decision }
  | { kind: 'denied'; decision: Decision; auditRef: string }
  | { kind: 'held'; decision: Decision; record: ApprovalRecord; auditRef: string }
  /** Allowed and run: `record.status` is executed or failed. */
  | { kind: 'done'; decision: Decision; record: ApprovalRecord; auditRef: string };

/** How many approvers, which roles and whether TOTP: the tool's own, raised by the hold's obligations. */
function approvalTerms(ctx: ApprovalContext, tool: RegisteredTool, decision: Decision) {
  const twoPerson = decision.obligations.includes('two_person_approval') || tool.effect === 'kinetic';
  return {
    approvalsRequired: Math.max(tool.approvalsRequired, twoPerson ? 2 : 1),
    approverRoles: tool.approverRoles.length > 0 ? [...tool.approverRoles] : [...ctx.settings.default_approver_roles],
    totpRequired: tool.totpRequired || decision.obligations.includes('fresh_totp'),
  };
}

function newRecord(ctx: ApprovalContext, principal: Principal, tool: RegisteredTool, input: ActionInput, decision: Decision): NewApprovalRequest {
  const now = ctx.clock();
  const held = decision.effect === 'hold';
  const terms = held ? approvalTerms(ctx, tool, decision) : { approvalsRequired: 0, approverRoles: [], totpRequired: false };
  const ttl = tool.approvalTtlSeconds ?? ctx.settings.ttl_seconds;
  return {
    id: randomId('apr_'), kind: 'action', status: held ? 'pending' : 'approved', requester: principal.id, target: tool.name,
    argumentsJson: canonicalJson(input.arguments), argumentsSha256: argumentsDigest(input.arguments),
    justification: input.justification ?? '', effect: tool.effect, ...terms,
    policyIds: [...decision.policyIds], reasons: [...decision.reasons], policyContext: { signals: [...(input.signals ?? [])] },
    requestId: input.requestId, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + ttl * 1000).toISOString(),
  };
}

async function recordDecision(ctx: ApprovalContext, principal: Principal, tool: RegisteredTool, input: ActionInput, decision: Decision, extra: Record<string, unknown>) {
  return ctx.recorder.record({
    kind: 'decision', actor: principal.id, requestId: input.requestId,
    data: {
      action: 'tool.call', decision: decision.effect, rule: decision.policyIds[0] ?? 'default.deny', policy_ids: decision.policyIds,
      reason: decision.reasons.join('; '), obligations: decision.obligations, tool: tool.name, effect: tool.effect,
      arguments_sha256: argumentsDigest(input.arguments), ...extra,
    },
  });
}

/**
 * Decides and carries out `POST /v1/actions`. `justification` is required only when the call
 * is held, since approvers read it.
 */
export async function requestAction(ctx: ApprovalContext, principal: Principal, input: ActionInput): Promise<ActionOutcome> {
  const tool = ctx.tools.get(input.tool);
  if (!tool) return { kind: 'unknown_tool', tool: input.tool };
  const check = checkArguments(tool, input.arguments);
  if (!check.ok) return { kind: 'invalid_arguments', param: check.param, message: check.message };
  const decision = ctx.decide(callToolRequest(principal, tool, input.signals ?? []));
  if (decision.effect === 'hold' && !input.justification?.trim()) return { kind: 'justification_required', decision };
  if (decision.effect === 'deny') {
    const { ref } = await recordDecision(ctx, principal, tool, input, decision, {});
    return { kind: 'denied', decision, auditRef: ref };
  }
  const fresh = newRecord(ctx, principal, tool, input, decision);
  await ctx.store.createRequest(fresh);
  const { ref } = await recordDecision(ctx, principal, tool, input, decision, { approval_id: fresh.id, expires_at: fresh.expiresAt });
  if (decision.effect === 'hold') {
    ctx.notifier.notify(fresh.id);
    return { kind: 'held', decision, record: (await ctx.store.getRequest(fresh.id))!, auditRef: ref };
  }
  const done = await executeApproved(ctx, fresh.id, input.requestId);
  return { kind: 'done', decision, record: done!, auditRef: ref };
}

/** An OpenAI tool call as a model returns it. */
export interface ModelToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ToolCallAnnotation {
  id: string;
  tool: string;
  /** unregistered: not an Enclave tool (a client-side function), passed through untouched. */
  decision: 'allow' | 'deny' | 'hold' | 'invalid' | 'unregistered';
  policy_ids: string[];
  reasons: string[];
  approval_id?: string;
  expires_at?: string;
}

export interface ToolCallReview<T extends ModelToolCall> {
  /** The calls to return to the client: allowed ones and client-side functions. */
  kept: T[];
  annotations: ToolCallAnnotation[];
  /** The approvals opened for held calls. */
  approvals: ApprovalRecord[];
}

/**
 * Reviews the tool calls a model returned for `principal`: each call of a registered tool is
 * decided like `POST /v1/actions`; denied and invalid calls are stripped, held ones are
 * stripped and opened as approvals (Enclave runs them once approved), allowed ones are kept.
 */
export async function reviewToolCalls<T extends ModelToolCall>(
  ctx: ApprovalContext, principal: Principal, toolCalls: readonly T[],
  options: { requestId: string | null; signals?: readonly PolicySignal[]; justification?: string },
): Promise<ToolCallReview<T>> {
  const review: ToolCallReview<T> = { kept: [], annotations: [], approvals: [] };
  for (const call of toolCalls) {
    const name = call.function.name;
    const tool = ctx.tools.get(name);
    if (!tool) {
      review.kept.push(call);
      review.annotations.push({ id: call.id, tool: name, decision: 'unregistered', policy_ids: [], reasons: ['not a tool registered with Enclave'] });
      continue;
    }
    let args: unknown;
    try {
      // Some models send "" for a function without parameters.
      args = call.function.arguments.trim() === '' ? {} : JSON.parse(call.function.arguments);
    } catch {
      args = undefined;
    }
    const check = args === undefined ? { ok: false as const, message: 'arguments are not JSON' } : checkArguments(tool, args);
    if (!check.ok) {
      review.annotations.push({ id: call.id, tool: name, decision: 'invalid', policy_ids: [], reasons: [check.message] });
      continue;
    }
    const input: ActionInput = {
      tool: name, arguments: args as Record<string, unknown>, requestId: options.requestId, signals: options.signals ?? [],
      justification: options.justification ?? `proposed by a model in request ${options.requestId ?? 'unknown'} (tool call ${call.id})`,
    };
    const decision = ctx.decide(callToolRequest(principal, tool, input.signals!));
    const base = { id: call.id, tool: name, policy_ids: [...decision.policyIds], reasons: [...decision.reasons] };
    if (decision.effect === 'allow') {
      await recordDecision(ctx, principal, tool, input, decision, { source: 'model', tool_call_id: call.id });
      review.kept.push(call);
      review.annotations.push({ ...base, decision: 'allow' });
    } else if (decision.effect === 'deny') {
      await recordDecision(ctx, principal, tool, input, decision, { source: 'model', tool_call_id: call.id });
      review.annotations.push({ ...base, decision: 'deny' });
    } else {
      const fresh = newRecord(ctx, principal, tool, input, decision);
      await ctx.store.createRequest(fresh);
      await recordDecision(ctx, principal, tool, input, decision, { source: 'model', tool_call_id: call.id, approval_id: fresh.id, expires_at: fresh.expiresAt });
      review.approvals.push((await ctx.store.getRequest(fresh.id))!);
      review.annotations.push({ ...base, decision: 'hold', approval_id: fresh.id, expires_at: fresh.expiresAt });
    }
  }
  return review;
}
