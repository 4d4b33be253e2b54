/**
 * Stage guard (input): turns the caller's messages into signals without deciding anything:
 * the red-line classifier's category per message (policy decides what a signal means), and
 * Markings the caller pastes raise the request's label; a marking above the caller's own
 * clearance, or above every accredited model, is spillage and stops here, before anything
 * is stored or forwarded.
 */
import { AUTONOMOUS_ENGAGEMENT_RULE, type GuardSignal } from '../../guards/index.ts';
import { checkAccess, dominates, findMarkings, formatBanner } from '../../markings/index.ts';
import type { GatewayDeps, Refusal, RequestContext } from '../context.ts';

export async function guardInput(ctx: RequestContext, deps: GatewayDeps): Promise<Refusal | undefined> {
  const principal = ctx.principal!;
  for (const message of ctx.request!.messages) {
    if (!message.content) continue;
    for (const found of findMarkings(message.content)) {
      const access = checkAccess({ label: principal.clearance, nationality: principal.nationality }, found.label);
      if (!access.allowed) {
        return {
          status: 403, type: 'permission_error', code: 'spillage', rule: 'spillage.above_clearance',
          message: 'The request contains a classification marking above your clearance; it was not stored or forwarded. Report it to your security officer.',
        };
      }
      if (!deps.models.list().some((m) => dominates(m.accredited, found.label))) {
        return {
          status: 403, type: 'permission_error', code: 'spillage', rule: 'spillage.above_accreditation',
          message: `The request contains a ${formatBanner(found.label)} marking, above every accredited model; it was not stored or forwarded.`,
        };
      }
      ctx.inputLabels.push(found.label);
    }
  }
  for (const message of ctx.request!.messages) {
    if (!message.content) continue;
    const source = message.role === 'tool' ? 'tool' : 'user';
    const signal: GuardSignal = deps.useJudge
      ? await deps.guards.classifyWithJudge(message.content, { source })
      : deps.guards.classify(message.content, { source });
    if (signal.category === 'none') continue;
    const first = signal.evidence[0];
    ctx.signals.push({
      source, category: signal.category, score: signal.score, layer: first?.layer ?? 'classifier',
      ...(first?.rule ? { rule: first.rule } : {}),
      ...(signal.evidence.some((e) => e.rule === AUTONOMOUS_ENGAGEMENT_RULE) ? { autonomousEngagement: true } : {}),
    });
  }
  return undefined;
}
