/**
 * Stage audit: one record per authenticated request: who, which model, the decision and
 * rule, labels, and digests of prompt and answer (never the text itself). When retention is on,
 * the text is sealed at rest first and the entry points at it (`contentRef`, see retain.ts).
 */
import { sha256Hex } from '../../crypto/index.ts';
import { formatBanner } from '../../markings/index.ts';
import type { GatewayDeps, Refusal, RequestContext } from '../context.ts';
import { retainContent } from './retain.ts';

export interface AuditOutcome {
  status: number;
  refusal?: Refusal;
  answer?: string;
  finishReason?: string;
  error?: string;
  /** Decisions on the model's tool calls (ids, tools, effects, approval ids). */
  toolCalls?: ReadonlyArray<{ id: string; tool: string; decision: string; approval_id?: string }>;
}

/** Records the request; resolves with the audit reference once durable. */
export async function audit(ctx: RequestContext, deps: GatewayDeps, outcome: AuditOutcome): Promise<string | undefined> {
  if (!ctx.principal) return undefined;
  const prompt = ctx.request ? JSON.stringify(ctx.request.messages) : undefined;
  // Stored before the entry is appended; a failure here fails the request like a failed append.
  const contentRef = await retainContent(ctx, deps, outcome);
  const { ref } = await deps.recorder.record({
    // Spillage is its own kind of entry: security officers search for it.
    kind: outcome.refusal?.code === 'spillage' ? 'spillage' : 'request',
    actor: ctx.principal.id,
    requestId: ctx.requestId,
    data: {
      model: ctx.request?.model,
      status: outcome.status,
      decision: ctx.decision?.effect ?? (outcome.refusal ? 'deny' : undefined),
      rule: outcome.refusal?.rule ?? ctx.decision?.rule,
      label: ctx.label ? formatBanner(ctx.label) : undefined,
      citations: ctx.citations.map((c) => c.id),
      signals: ctx.signals.map((s) => ({ source: s.source, category: s.category, score: s.score, layer: s.layer })),
      dropped: ctx.dropped.length > 0 ? ctx.dropped : undefined,
      withheld: ctx.withheld.length > 0 ? ctx.withheld : undefined,
      prompt_sha256: prompt ? sha256Hex(prompt) : undefined,
      answer_sha256: outcome.answer !== undefined ? sha256Hex(outcome.answer) : undefined,
      finish_reason: outcome.finishReason,
      tool_calls: outcome.toolCalls?.length ? outcome.toolCalls.map((t) => ({ id: t.id, tool: t.tool, decision: t.decision, approval_id: t.approval_id })) : undefined,
      error: outcome.error,
      contentRef,
    },
  });
  return ref;
}
