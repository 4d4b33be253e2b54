/**
 * Content retention, part of the audit stage: when the deployment keeps content, the request's
 * messages and answer are sealed and stored before the entry that points at them is appended, so
 * an entry never names a record that does not exist.
 *
 * Only requests that passed the input guard's marking check are kept (`ctx.decision` is set only
 * after it): spilled text is promised not to be stored, and text no guard has read has no label.
 */
import { formatBanner, leastUpperBound } from '../../markings/index.ts';
import type { GatewayDeps, RequestContext } from '../context.ts';
import type { AuditOutcome } from './audit.ts';

/** Seals and stores the request's content; resolves with its `contentRef`, or undefined when nothing is kept. */
export async function retainContent(ctx: RequestContext, deps: GatewayDeps, outcome: AuditOutcome): Promise<string | undefined> {
  if (!deps.content || !ctx.principal || !ctx.request || !ctx.decision || outcome.refusal?.code === 'spillage') return undefined;
  // Before route the label is still the roll-up of the markings the guard found in the messages.
  const label = formatBanner(ctx.label ?? leastUpperBound(ctx.inputLabels));
  return deps.content.retain({
    label,
    content: {
      v: 1,
      request_id: ctx.requestId,
      actor: ctx.principal.id,
      model: ctx.request.model,
      served_by: ctx.model?.id,
      label,
      status: outcome.status,
      // The very objects the entry's prompt digest is taken over (JSON.stringify of the messages).
      messages: ctx.request.messages,
      answer: outcome.answer ?? null,
      finish_reason: outcome.finishReason,
      refusal: outcome.refusal ? { code: outcome.refusal.code, rule: outcome.refusal.rule } : undefined,
      time: new Date().toISOString(),
    },
  });
}
