/**
 * Stage review (tool calls): each call a model returns for a tool registered with Enclave is
 * decided like `POST /v1/actions`. Denied calls are stripped, held ones are stripped and opened
 * as approval requests (Enclave executes them once approved), allowed ones are returned to the
 * client; calls of functions Enclave does not know pass through. Each call's decision is
 * reported in the answer's `enclave.tool_calls`.
 */
import type { ToolCallAnnotation } from '../../approvals/index.ts';
import type { ToolCall } from '../../inference/index.ts';
import type { PolicySignal } from '../../policy/index.ts';
import type { GatewayDeps, RequestContext } from '../context.ts';

export interface ReviewedToolCalls {
  kept: ToolCall[];
  annotations: ToolCallAnnotation[];
}

export async function reviewToolCalls(ctx: RequestContext, deps: GatewayDeps, calls: readonly ToolCall[]): Promise<ReviewedToolCalls> {
  if (!deps.approvals || calls.length === 0) return { kept: [...calls], annotations: [] };
  const signals: PolicySignal[] = ctx.signals.map((s) => ({
    category: s.category as PolicySignal['category'], score: s.score,
    ...(s.autonomousEngagement ? { autonomous_engagement: true } : {}),
  }));
  const review = await deps.approvals.reviewToolCalls(ctx.principal!, calls, { requestId: ctx.requestId, signals });
  return { kept: review.kept, annotations: review.annotations };
}

/** Reassembles streamed tool-call deltas (OpenAI's indexed shape) into whole calls. */
export function createToolCallAssembler() {
  const calls: ToolCall[] = [];
  return {
    add(deltas: ReadonlyArray<{ index: number; id?: string; function?: { name?: string; arguments?: string } }>): void {
      for (const d of deltas) {
        const call = calls[d.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } };
        if (d.id) call.id = d.id;
        if (d.function?.name) call.function.name += d.function.name;
        if (d.function?.arguments) call.function.arguments += d.function.arguments;
      }
    },
    calls(): ToolCall[] {
      return calls.filter(Boolean);
    },
  };
}
