/**
 * Stage route: the answer's label is the least upper bound of everything going into the
 * model; it must be one the caller may see, and one the model is accredited for.
 */
import { isAccreditedFor } from '../../inference/index.ts';
import { checkAccess, formatBanner, leastUpperBound } from '../../markings/index.ts';
import type { GatewayDeps, Refusal, RequestContext } from '../context.ts';
import { decide } from './decide.ts';

export function route(ctx: RequestContext, deps: GatewayDeps): Refusal | undefined {
  const label = leastUpperBound(ctx.inputLabels);
  ctx.label = label;
  const principal = ctx.principal!;
  const access = checkAccess({ label: principal.clearance, nationality: principal.nationality }, label);
  if (!access.allowed) {
    // Unreachable while retrieval filters correctly; kept as the second check markings.md rule 2 asks for.
    return { status: 403, type: 'permission_error', code: 'above_clearance', rule: `access.${access.rule}`, message: 'The answer would be above your clearance and was withheld.' };
  }
  // A route group lets Enclave move the request to the first of its models accredited high enough.
  const rerouted = ctx.routeGroup?.find((m) => isAccreditedFor(m, label));
  if (rerouted && rerouted !== ctx.model) {
    ctx.model = rerouted;
    // Policy decides again for the model that will actually receive the request.
    const refusal = decide(ctx, deps);
    if (refusal) return refusal;
  }
  const model = ctx.model!;
  if (!isAccreditedFor(model, label)) {
    return {
      status: 403, type: 'permission_error', code: 'not_accredited', param: 'model', rule: 'route.accreditation',
      message: `The request is labelled ${formatBanner(label)}, above what model "${model.id}" is accredited for (${model.accreditedText}); it was not sent.`,
    };
  }
  return undefined;
}
