/**
 * Stage decide: the policy engine turns the principal, the model, the guards' signals and the
 * request's label into allow, deny or hold. Red lines are product forbids no deployment permit
 * can lift; an unknown or failing evaluation is a deny (the engine fails closed).
 */
import { leastUpperBound } from '../../markings/index.ts';
import type { GatewayDeps, Refusal, RequestContext } from '../context.ts';
import { toPolicyLabel, toPolicyModel, toPolicyPrincipal, toPolicySignals } from '../policy-input.ts';

export function decide(ctx: RequestContext, deps: GatewayDeps): Refusal | undefined {
  const principal = ctx.principal!;
  const result = deps.decisions.decide({
    principal: toPolicyPrincipal(principal),
    action: 'chat',
    resource: toPolicyModel(ctx.model!, principal.nationality),
    context: { signals: toPolicySignals(ctx.signals), label: toPolicyLabel(leastUpperBound(ctx.inputLabels), principal.nationality) },
  });
  const rule = result.policyIds[0] ?? 'policy.unknown';
  const reason = result.reasons[0] ?? 'no reason given';
  ctx.decision = { effect: result.effect, rule, reason, policyIds: result.policyIds, obligations: result.obligations };
  deps.metrics.decisions.inc({ effect: result.effect, rule });
  if (result.effect === 'allow') return undefined;
  if (result.effect === 'hold') {
    return { status: 403, type: 'permission_error', code: 'approval_required', rule, message: `Held: ${reason}. Chat requests cannot wait for approval; submit the action through /v1/actions.` };
  }
  const redLine = /^redline\.(.+)$/.exec(rule);
  return {
    status: 403, type: 'permission_error', code: redLine ? redLine[1]! : 'policy_denied', rule,
    message: redLine ? `Refused: ${reason}. This red line cannot be lifted by configuration.` : `Refused by policy ${rule}: ${reason}.`,
  };
}
