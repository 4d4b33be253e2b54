/**
 * Stage decide: turns signals into allow, deny or hold. Until the policy engine is
 * configured, each red-line category gets the default decision of design.md.
 */
import type { Decision, GatewayDeps, Refusal, RequestContext } from '../context.ts';

const RED_LINE_DEFAULTS: Record<string, Decision['effect']> = {
  mass_surveillance: 'deny',
  wmd: 'deny',
  prompt_injection: 'deny',
  use_of_force: 'hold',
};

export function decide(ctx: RequestContext, deps: GatewayDeps): Refusal | undefined {
  let decision: Decision = { effect: 'allow', rule: 'default.allow', reason: 'no guard signal and no policy forbids it' };
  for (const s of ctx.signals) {
    const effect = RED_LINE_DEFAULTS[s.category];
    if (!effect) continue;
    if (effect === 'deny' || decision.effect === 'allow') {
      decision = { effect, rule: `redline.${s.category}`, reason: `the ${s.category.replace('_', ' ')} red line (${s.layer})` };
    }
    if (effect === 'deny') break;
  }
  ctx.decision = decision;
  deps.metrics.decisions.inc({ effect: decision.effect, rule: decision.rule });
  if (decision.effect === 'allow') return undefined;
  return {
    status: 403, type: 'permission_error', code: decision.rule.replace(/^redline\./, ''), rule: decision.rule,
    message: decision.effect === 'deny'
      ? `Refused: this request crosses ${decision.reason}. It cannot be allowed by configuration.`
      : `Held: this request needs a named human's approval under ${decision.reason}.`,
  };
}
