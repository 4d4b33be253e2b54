/**
 * Stage mark: the answer carries its label. Inline banners put the banner line first and
 * the list of sources (id, title, portion mark) last; the header and the `enclave` object
 * carry the same label and citations for clients that render them themselves.
 */
import { formatBanner } from '../../markings/index.ts';
import type { GatewayDeps, RequestContext } from '../context.ts';

export interface Marking {
  banner: string;
  /** Text to put before the model's answer (inline mode). */
  prefix: string;
  /** Text to put after it: the list of sources. */
  suffix: string;
}

export function mark(ctx: RequestContext, deps: GatewayDeps): Marking {
  const banner = formatBanner(ctx.label!);
  const support = ctx.decision?.obligations.includes('decision_support')
    ? 'DECISION SUPPORT ONLY: this answer informs a human commander, who decides. It authorises nothing.\n\n' : '';
  const sources = ctx.citations.length === 0 ? '' :
    '\n\nSources:\n' + ctx.citations.map((c) => `[${c.id}] ${c.portionMark} ${c.title}`).join('\n');
  if (deps.banner === 'header') return { banner, prefix: support, suffix: sources };
  return { banner, prefix: `${banner}\n\n${support}`, suffix: `${sources}\n\n${banner}` };
}

/** The `enclave` object attached to every answer and error. */
export function enclaveInfo(ctx: RequestContext, auditRef: string | undefined): Record<string, unknown> {
  return {
    request_id: ctx.requestId,
    classification: ctx.label ? formatBanner(ctx.label) : undefined,
    citations: ctx.citations,
    decision: ctx.decision ? { effect: ctx.decision.effect, rule: ctx.decision.rule, policy_ids: ctx.decision.policyIds, obligations: ctx.decision.obligations } : undefined,
    ...(auditRef ? { audit_ref: auditRef } : {}),
  };
}
