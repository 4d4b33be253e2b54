/**
 * The approvals service: one object per gateway process that the routes, the chat pipeline
 * and the guards call. It owns the in-process notifier for long polls and the sweeper that
 * expires due requests, fails lost executions and runs approved actions nobody ran (after a
 * crash), on every replica; the store's conditional writes keep replicas from colliding.
 */
import { hostname } from 'node:os';
import { randomToken } from '../crypto/index.ts';
import type { Principal } from '../identity/index.ts';
import { defaultApprovalsConfig } from './config.ts';
import { auditKind, describeRecord, SYSTEM_ACTOR, type ApprovalContext, type ApprovalServiceDeps } from './context.ts';
import { executeApproved } from './execute.ts';
import { createNotifier } from './notifier.ts';
import { requestAction, reviewToolCalls, type ActionInput, type ActionOutcome, type ModelToolCall, type ToolCallReview } from './request-action.ts';
import { approve, expireDue, reject, type ApproveOutcome, type RejectOutcome } from './review.ts';
import type { ReceiptSigner } from './receipt-keys.ts';
import type { ApprovalKind, ApprovalRecord, ApprovalStatus } from './store.ts';
import type { ToolRegistry } from './tools.ts';
import { findUnmaskGrant, openUnmaskRequest, type UnmaskInput, type UnmaskOutcome } from './unmask.ts';
import { isSettled, maySee } from './view.ts';

const MIN_RECHECK_MS = 20;

export interface SweepReport {
  expired: number;
  lost: number;
  executed: number;
}

export interface ApprovalService {
  readonly tools: ToolRegistry;
  readonly signer: ReceiptSigner;
  readonly settings: ApprovalContext['settings'];
  /** `POST /v1/actions`. */
  requestAction(principal: Principal, input: ActionInput): Promise<ActionOutcome>;
  /** The chat pipeline's review of a model's tool calls. */
  reviewToolCalls<T extends ModelToolCall>(principal: Principal, toolCalls: readonly T[], options: { requestId: string | null; signals?: ActionInput['signals']; justification?: string }): Promise<ToolCallReview<T>>;
  openUnmaskRequest(principal: Principal, input: UnmaskInput): Promise<UnmaskOutcome>;
  findUnmaskGrant(requesterId: string, subject: string): Promise<ApprovalRecord | undefined>;
  /** A request the principal may see, or undefined. */
  get(principal: Principal, id: string): Promise<ApprovalRecord | undefined>;
  list(principal: Principal, filter: { status?: ApprovalStatus; kind?: ApprovalKind; before?: string; limit?: number }): Promise<ApprovalRecord[]>;
  approve(principal: Principal, id: string, input: { reason: string; totp?: string; requestId: string | null }): Promise<ApproveOutcome>;
  reject(principal: Principal, id: string, input: { reason: string; requestId: string | null }): Promise<RejectOutcome>;
  /**
   * Long poll: resolves when the request is settled (executed, failed, rejected, expired; an
   * unmask once decided), after `seconds`, or when `signal` aborts, with the request as it is then.
   */
  wait(principal: Principal, id: string, seconds: number, signal?: AbortSignal): Promise<ApprovalRecord | undefined>;
  /** One sweep now (the timer runs it every `sweep_ms` once started). */
  sweep(): Promise<SweepReport>;
  /** Starts the sweeper; idempotent. */
  start(): void;
  /** Stops the sweeper and releases every long poll. */
  close(): Promise<void>;
}

/**
 * Builds the service.
 * @example
 *   const approvals = createApprovalService({ store: approvalStore, identities: store.identities, logger, recorder,
 *     decide: (r) => engine.decide(r), tools: createToolRegistry(config.tools), signer, sealer, settings: config.approvals });
 */
export function createApprovalService(deps: ApprovalServiceDeps): ApprovalService {
  const ctx: ApprovalContext = {
    store: deps.store, identities: deps.identities, logger: deps.logger, recorder: deps.recorder, decide: deps.decide,
    tools: deps.tools, signer: deps.signer, sealer: deps.sealer, settings: deps.settings ?? defaultApprovalsConfig(),
    clock: deps.clock ?? (() => new Date()), instanceId: deps.instanceId ?? `${hostname()}:${process.pid}:${randomToken(6)}`,
    notifier: createNotifier(),
  };
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<SweepReport> | undefined;
  let closed = false;

  async function sweepOnce(): Promise<SweepReport> {
    const expired = await expireDue(ctx);
    const lost = await ctx.store.failStaleExecutions(ctx.clock().toISOString());
    for (const r of lost) {
      ctx.notifier.notify(r.id);
      ctx.logger.error({ approvalId: r.id, executor: r.executor }, 'an executor vanished mid-execution; the action is failed, not retried');
      await ctx.recorder.record({
        kind: auditKind(r), actor: SYSTEM_ACTOR, requestId: null,
        data: { ...describeRecord(r), action: 'tool.execute', decision: 'failed', rule: 'approval.executor_lost', reason: 'the executing replica did not finish before its deadline' },
      });
    }
    const now = ctx.clock();
    const ids = await ctx.store.listClaimable({ now: now.toISOString(), approvedBefore: new Date(now.getTime() - ctx.settings.sweep_ms).toISOString() });
    let executed = 0;
    for (const id of ids) {
      if (closed) break;
      const r = await executeApproved(ctx, id, null);
      if (r && r.status !== 'approved' && r.executor?.startsWith(ctx.instanceId)) executed++;
    }
    return { expired: expired.length, lost: lost.length, executed };
  }

  function sweep(): Promise<SweepReport> {
    // One sweep at a time per process: a slow tool call must not stack sweeps up.
    sweeping ??= sweepOnce().finally(() => { sweeping = undefined; });
    return sweeping;
  }

  return {
    tools: ctx.tools,
    signer: ctx.signer,
    settings: ctx.settings,
    requestAction: (principal, input) => requestAction(ctx, principal, input),
    reviewToolCalls: (principal, toolCalls, options) => reviewToolCalls(ctx, principal, toolCalls, options),
    openUnmaskRequest: (principal, input) => openUnmaskRequest(ctx, principal, input),
    findUnmaskGrant: (requesterId, subject) => findUnmaskGrant(ctx, requesterId, subject),
    async get(principal, id) {
      const r = await ctx.store.getRequest(id);
      return r && maySee(principal, r) ? r : undefined;
    },
    list: (principal, filter) => ctx.store.listRequests({ ...filter, visibleTo: { userId: principal.id, roles: principal.roles } }),
    approve: (principal, id, input) => approve(ctx, principal, id, input),
    reject: (principal, id, input) => reject(ctx, principal, id, input),
    async wait(principal, id, seconds, signal) {
      const deadline = Date.now() + Math.max(0, seconds) * 1000;
      let record = await ctx.store.getRequest(id);
      if (!record || !maySee(principal, record)) return undefined;
      while (!isSettled(record) && !closed && !signal?.aborted) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) break;
        let ms = Math.min(remaining, ctx.settings.recheck_ms);
        // Wake at the expiry too, but never spin: a request a vote holds locked is re-read in a moment.
        if (record.status === 'pending') ms = Math.min(ms, Math.max(MIN_RECHECK_MS, Date.parse(record.expiresAt) - ctx.clock().getTime()));
        await ctx.notifier.next(id, ms, signal);
        record = (await ctx.store.getRequest(id))!;
        if (record.status === 'pending' && record.expiresAt <= ctx.clock().toISOString()) {
          await expireDue(ctx);
          record = (await ctx.store.getRequest(id))!;
        }
      }
      return record;
    },
    sweep,
    start() {
      if (timer || closed) return;
      timer = setInterval(() => {
        sweep().catch((err: unknown) => ctx.logger.error({ err }, 'approvals sweep failed'));
      }, ctx.settings.sweep_ms);
      timer.unref();
    },
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      ctx.notifier.wakeAll();
      await sweeping?.catch(() => undefined);
    },
  };
}
