/**
 * Stage retrieve: for a model configured with `retrieval: true`, the portions the caller's
 * clearance dominates, filtered inside the corpus query, each then decided by policy (Cedar
 * `retrieve`, see portion-policy.ts): portions it refuses are withheld, counted and recorded by id,
 * never shown. A portion carrying hidden instructions (indirect prompt injection) is dropped from
 * the context and the drop recorded; it adds nothing to the answer's label, since it never
 * reaches the model.
 */
import { filterContext } from '../../guards/index.ts';
import type { GatewayDeps, Refusal, RequestContext } from '../context.ts';
import { portionGateFor } from '../portion-policy.ts';

export async function retrieve(ctx: RequestContext, deps: GatewayDeps): Promise<Refusal | undefined> {
  if (!ctx.model!.retrieval || !deps.retriever) return undefined;
  const gate = portionGateFor(deps, ctx.principal!, { signals: ctx.signals, inputLabels: ctx.inputLabels });
  const found = await deps.retriever.retrieve(ctx.principal!, ctx.request!.messages, ctx.signal, gate);
  ctx.withheld.push(...gate.withheld());
  const { kept, dropped } = filterContext(deps.guards, found, 'retrieved');
  for (const d of dropped) {
    ctx.dropped.push({ portionId: d.portion.portionId ?? d.portion.citation, category: d.signal.category, score: d.signal.score });
  }
  // Citation ids are renumbered over what is kept, so the model and the sources list agree.
  kept.forEach((p, i) => { p.citation = String(i + 1); });
  for (const p of kept) {
    for (const name of p.usPersons ?? []) ctx.usPersons.add(name);
    ctx.context.push({ citation: p.citation, portionMark: p.portionMark, title: p.title, text: p.text });
    ctx.citations.push({ id: p.citation, title: p.title, portionMark: p.portionMark });
    ctx.inputLabels.push(p.label);
  }
  return undefined;
}
