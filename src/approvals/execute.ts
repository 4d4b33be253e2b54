/**
 * Executes an approved action at most once: one replica claims it (approved -> executing, a
 * conditional write), policy is asked again with the approval in hand, and the tool's endpoint
 * is called once, with a signed receipt and a deadline. A claim whose executor vanished is
 * failed by the sweeper, never retried: a kinetic action must not happen twice.
 */
import { sha256Hex } from '../crypto/index.ts';
import { parseMarking } from '../markings/index.ts';
import { auditKind, describeRecord, type ApprovalContext } from './context.ts';
import { callToolRequest, signalsOf } from './policy.ts';
import { RECEIPT_HEADER } from './receipt.ts';
import type { ApprovalRecord } from './store.ts';
import type { RegisteredTool } from './tools.ts';

/** Time beyond the tool's timeout after which a claim is presumed lost. */
const CLAIM_GRACE_MS = 30_000;

interface ToolAnswer {
  status: 'executed' | 'failed';
  result: Record<string, unknown> | null;
  error: string | null;
}

async function readLimited(res: Response, limit: number): Promise<{ text: string; truncated: boolean }> {
  if (!res.body) return { text: '', truncated: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      return { text: '', truncated: true };
    }
    chunks.push(value);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
}

/** POSTs the arguments to the tool with the receipt; any failure becomes a value. */
async function callTool(tool: RegisteredTool, record: ApprovalRecord, receipt: string): Promise<ToolAnswer> {
  let res: Response;
  const signal = AbortSignal.timeout(tool.timeoutMs);
  try {
    res = await fetch(tool.endpoint, {
      method: 'POST', body: record.argumentsJson, signal,
      // A redirect would carry the receipt somewhere nobody configured.
      redirect: 'error',
      headers: { 'content-type': 'application/json', [RECEIPT_HEADER]: receipt, 'idempotency-key': record.id, 'enclave-action-id': record.id },
    });
  } catch {
    return { status: 'failed', result: null, error: signal.aborted ? 'tool_timeout' : 'tool_unreachable' };
  }
  let body: { text: string; truncated: boolean };
  try {
    body = await readLimited(res, tool.maxResponseBytes);
  } catch {
    return { status: 'failed', result: { status: res.status }, error: signal.aborted ? 'tool_timeout' : 'tool_unreachable' };
  }
  let parsed: unknown = body.text;
  if (!body.truncated && (res.headers.get('content-type') ?? '').includes('json')) {
    try { parsed = JSON.parse(body.text); } catch { /* kept as text */ }
  }
  const result = body.truncated ? { status: res.status, body: null, body_truncated: true } : { status: res.status, body: parsed };
  return res.ok ? { status: 'executed', result, error: null } : { status: 'failed', result, error: `tool_status_${res.status}` };
}

/** Policy again, now with the approval: a requester disabled or a rule added meanwhile stops it. */
async function recheckPolicy(ctx: ApprovalContext, record: ApprovalRecord, tool: RegisteredTool): Promise<{ ok: boolean; policyIds: string[]; reasons: string[] }> {
  const user = await ctx.identities.getUser(record.requester);
  if (!user || user.disabled) return { ok: false, policyIds: ['approval.requester_unavailable'], reasons: ['the requester is disabled or no longer exists'] };
  const principal = { id: user.id, clearance: parseMarking(user.clearance), nationality: user.nationality, roles: user.roles };
  const decision = ctx.decide(callToolRequest(principal, tool, signalsOf(record.policyContext), true));
  return { ok: decision.effect === 'allow', policyIds: decision.policyIds, reasons: decision.reasons };
}

async function run(ctx: ApprovalContext, claimed: ApprovalRecord, executor: string): Promise<ToolAnswer & { receiptSha256: string | null; policyIds: string[] }> {
  const tool = ctx.tools.get(claimed.target);
  if (!tool) return { status: 'failed', result: null, error: 'tool_not_registered', receiptSha256: null, policyIds: [] };
  // Allowed at once (no approvals): decided a moment ago. Approved: decided again with the approval.
  let policyIds = claimed.policyIds;
  if (claimed.approvalsRequired > 0) {
    const check = await recheckPolicy(ctx, claimed, tool);
    if (!check.ok) return { status: 'failed', result: { policy_ids: check.policyIds, reasons: check.reasons }, error: 'policy_denied', receiptSha256: null, policyIds: check.policyIds };
    policyIds = [...new Set([...claimed.policyIds, ...check.policyIds])];
  }
  const iat = Math.floor(ctx.clock().getTime() / 1000);
  const receipt = await ctx.signer.sign({
    iss: ctx.settings.issuer, jti: claimed.id, kind: 'action', sub: claimed.requester, tool: tool.name,
    args_sha256: claimed.argumentsSha256, approvers: claimed.votes.map((v) => v.approver).sort(), policy_ids: policyIds,
    iat, exp: iat + ctx.settings.receipt_ttl_seconds,
  });
  ctx.logger.info({ approvalId: claimed.id, tool: tool.name, executor }, 'executing approved action');
  return { ...(await callTool(tool, claimed, receipt)), receiptSha256: sha256Hex(receipt), policyIds };
}

/**
 * Claims and executes an approved action; resolves with its record afterwards (or as it is,
 * when another replica holds the claim or it expired). Never throws for a tool failure.
 */
export async function executeApproved(ctx: ApprovalContext, id: string, requestId: string | null): Promise<ApprovalRecord | undefined> {
  const current = await ctx.store.getRequest(id);
  if (!current || current.status !== 'approved' || current.kind !== 'action') return current;
  const now = ctx.clock();
  const timeoutMs = ctx.tools.get(current.target)?.timeoutMs ?? 0;
  const executor = `${ctx.instanceId}:${requestId ?? 'sweep'}`;
  const claimed = await ctx.store.claimExecution({
    id, executor, now: now.toISOString(), deadline: new Date(now.getTime() + timeoutMs + CLAIM_GRACE_MS).toISOString(),
  });
  if (!claimed) return ctx.store.getRequest(id);
  ctx.notifier.notify(id);

  let outcome: Awaited<ReturnType<typeof run>>;
  try {
    outcome = await run(ctx, claimed, executor);
  } catch (err) {
    ctx.logger.error({ err, approvalId: id }, 'executing an approved action failed unexpectedly');
    outcome = { status: 'failed', result: null, error: 'internal_error', receiptSha256: null, policyIds: claimed.policyIds };
  }
  const finished = await ctx.store.finishExecution({
    id, executor, status: outcome.status, at: ctx.clock().toISOString(), result: outcome.result, error: outcome.error, receiptSha256: outcome.receiptSha256,
  });
  ctx.notifier.notify(id);
  const final = (await ctx.store.getRequest(id))!;
  if (!finished) ctx.logger.error({ approvalId: id, status: final.status }, 'an execution finished after its claim was failed as lost');
  try {
    await ctx.recorder.record({
      kind: auditKind(final), actor: claimed.requester, requestId,
      data: {
        ...describeRecord(final), action: 'tool.execute', decision: outcome.status, rule: outcome.policyIds[0] ?? 'approval.execute',
        policy_ids: outcome.policyIds, tool_status: (outcome.result?.status as number | undefined) ?? null, error: outcome.error,
        ...(outcome.receiptSha256 ? { receipt_sha256: outcome.receiptSha256 } : {}), executor,
      },
    });
  } catch (err) {
    ctx.logger.error({ err, approvalId: id }, 'could not record the execution of an approved action');
  }
  return final;
}
