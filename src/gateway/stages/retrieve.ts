/**
 * Stage retrieve: for a model configured with `retrieval: true`, the portions the caller's
 * clearance dominates, filtered inside the corpus query. Without a corpus, nothing.
 */
import type { GatewayDeps, Refusal, RequestContext } from '../context.ts';

export async function retrieve(ctx: RequestContext, deps: GatewayDeps): Promise<Refusal | undefined> {
  if (!ctx.model!.retrieval || !deps.retriever) return undefined;
  const found = await deps.retriever.retrieve(ctx.principal!, ctx.request!.messages, ctx.signal);
  for (const p of found) {
    ctx.context.push({ citation: p.citation, portionMark: p.portionMark, title: p.title, text: p.text });
    ctx.citations.push({ id: p.citation, title: p.title, portionMark: p.portionMark });
    ctx.inputLabels.push(p.label);
  }
  return undefined;
}
