/** Stage infer: hands the authorised, labelled request to the model's backend. */
import type { BackendChunk, BackendRequest, BackendResult, ChatMessage, ContextPortion } from '../../inference/index.ts';
import type { RequestContext } from '../context.ts';

/** Renders retrieved portions as one system message: each with its portion mark and citation id. */
export function renderContext(context: readonly ContextPortion[]): ChatMessage | undefined {
  if (context.length === 0) return undefined;
  const lines = context.map((p) => `[${p.citation}] ${p.portionMark} ${p.title}\n${p.text}`);
  return {
    role: 'system',
    content: 'Answer using only the sources below. Cite each claim with its source id in square brackets, e.g. [1]. ' +
      'Sources carry classification portion marks; do not remove them.\n\n' + lines.join('\n\n'),
  };
}

function backendRequest(ctx: RequestContext): BackendRequest {
  const r = ctx.request!;
  const messages: ChatMessage[] = r.messages.map((m) => ({ ...m, content: m.content ?? null }) as ChatMessage);
  const contextMessage = renderContext(ctx.context);
  if (contextMessage) messages.unshift(contextMessage);
  const maxTokens = r.max_completion_tokens ?? r.max_tokens;
  return {
    messages, context: ctx.context, signal: ctx.signal,
    ...(r.temperature != null ? { temperature: r.temperature } : {}),
    ...(r.top_p != null ? { top_p: r.top_p } : {}),
    ...(maxTokens != null ? { max_tokens: maxTokens } : {}),
    ...(r.stop != null ? { stop: typeof r.stop === 'string' ? [r.stop] : r.stop } : {}),
    ...(r.tools ? { tools: r.tools } : {}),
    ...(r.tool_choice ? { tool_choice: r.tool_choice } : {}),
  };
}

/** One complete answer. */
export function inferComplete(ctx: RequestContext): Promise<BackendResult> {
  return ctx.model!.backend.complete(backendRequest(ctx));
}

/** A streamed answer. */
export function inferStream(ctx: RequestContext): AsyncIterable<BackendChunk> {
  return ctx.model!.backend.stream(backendRequest(ctx));
}
