/**
 * Retrieval under policy: each portion the clearance filter returns is a Cedar `retrieve`
 * decision (principal, the portion's label, the request's signals and label), so a deployment's
 * forbid drops portions and its permit admits controlled ones (ORCON and the like) that the
 * defaults withhold. The lattice still filters inside the query first; policy only narrows that,
 * or widens it over policy-only controls (see PortionPolicy in src/retrieval).
 *
 * Decisions are memoised per request: when no policy names a particular Portion, the decision
 * depends only on the label, so each distinct label costs one evaluation (and the gateway's
 * decision cache spares repeats across requests).
 */
import type { Principal } from '../identity/index.ts';
import { formatBanner, leastUpperBound, type Label } from '../markings/index.ts';
import type { Decision, PolicyContext, PolicyPrincipal } from '../policy/index.ts';
import type { GatewayDeps, Signal } from './context.ts';
import { toPolicyLabel, toPolicyPrincipal, toPolicySignals } from './policy-input.ts';

/** A portion policy refused, with the rule that refused it (never its text or title). */
export interface WithheldPortion {
  portionId: string;
  rule: string;
}

export interface PortionGate {
  /** Whether the caller may use a portion with `label`; without `portionId`, a label in general (query planning). */
  allows(label: Label, portionId?: string): boolean;
  /** Portions refused so far, each once, in the order they were refused. */
  withheld(): WithheldPortion[];
}

/** The entity id a label-only decision is asked under: no policy can name it (ids of portions contain `#`). */
function labelEntityId(marking: string): string {
  return `label:${marking}`;
}

/**
 * A gate asking `decisions` about `retrieve` for `principal` in `context`. Anything but allow
 * (deny, or a hold, since retrieval cannot wait for approvers) keeps the portion out.
 */
export function createPortionGate(
  deps: Pick<GatewayDeps, 'policy' | 'decisions'>, principal: PolicyPrincipal, nationality: string, context: PolicyContext,
): PortionGate {
  const perPortion = deps.policy.namesEntitiesOf('Portion');
  const memo = new Map<string, Decision>();
  const withheld = new Map<string, string>();
  function decide(label: Label, portionId: string | undefined): Decision {
    const marking = formatBanner(label);
    const id = perPortion && portionId !== undefined ? portionId : labelEntityId(marking);
    const key = `${id}\u0000${marking}`;
    let decision = memo.get(key);
    if (!decision) {
      decision = deps.decisions.decide({
        principal, action: 'retrieve', resource: { type: 'Portion', id, label: toPolicyLabel(label, nationality) }, context,
      });
      memo.set(key, decision);
    }
    return decision;
  }
  return {
    allows(label, portionId) {
      const decision = decide(label, portionId);
      if (decision.effect === 'allow') return true;
      if (portionId !== undefined && !withheld.has(portionId)) withheld.set(portionId, decision.policyIds[0] ?? 'default.deny');
      return false;
    },
    withheld: () => [...withheld].map(([portionId, rule]) => ({ portionId, rule })),
  };
}

/**
 * The gate for `principal` outside a chat request (corpus search, withheld counts): no guard
 * signals unless given, and the label of the caller's own input (UNCLASSIFIED by default).
 * `nowMs` is the clock MFA age is measured against.
 */
export function portionGateFor(
  deps: Pick<GatewayDeps, 'policy' | 'decisions'>, principal: Principal,
  options: { signals?: readonly Signal[]; inputLabels?: readonly Label[]; nowMs?: number } = {},
): PortionGate {
  return createPortionGate(deps, toPolicyPrincipal(principal, options.nowMs), principal.nationality, {
    signals: toPolicySignals(options.signals ?? []),
    label: toPolicyLabel(leastUpperBound(options.inputLabels ?? []), principal.nationality),
  });
}
