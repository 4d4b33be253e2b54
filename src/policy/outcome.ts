/**
 * Cedar's two answers (allow, deny with the satisfied policies) and how Enclave reads them:
 * the hold convention, obligations, reasons, and fail-closed denials.
 */
import type { CompiledPolicy } from './compile.ts';
import { DEFAULT_DENY_ID } from './compile.ts';
import type { Decision } from './request.ts';

/** What one Cedar evaluation said, errors included. */
export type CedarOutcome =
  | { kind: 'allow' | 'deny'; policyIds: string[] }
  | { kind: 'error'; errors: string[] };

export const POLICY_ERROR_ID = 'policy.error';
export const INVALID_REQUEST_ID = 'policy.invalid_request';

/** Obligation added to every allow or hold on a use-of-force request: the answer is decision support for a human commander. */
export const DECISION_SUPPORT = 'decision_support';

// Red lines first, so a caller reporting only policyIds[0] names the most serious rule.
const ID_RANK: readonly string[] = ['redline.', 'lattice.', 'approval.', 'invariant.', 'hold.'];
function rank(id: string): number {
  const i = ID_RANK.findIndex((p) => id.startsWith(p));
  return i === -1 ? ID_RANK.length : i;
}

function reasonOf(policy: CompiledPolicy | undefined, id: string): string {
  return policy?.reason ?? `policy ${id}${policy ? ` (${policy.file})` : ''}`;
}

/** Fails closed: a deny naming why the engine could not decide. */
export function failClosed(id: typeof POLICY_ERROR_ID | typeof INVALID_REQUEST_ID, errors: string[]): Decision {
  const reason = id === INVALID_REQUEST_ID
    ? 'the request given to the policy engine is malformed, so it is denied'
    : 'the policy engine could not evaluate this request, so it is denied';
  return { effect: 'deny', policyIds: [id], reasons: [reason], obligations: [], errors };
}

/** Builds a decision from the policies that made it. */
export function decisionFrom(
  effect: Decision['effect'], ids: readonly string[], byId: ReadonlyMap<string, CompiledPolicy>, extra: { obligations?: string[]; reasons?: string[] } = {},
): Decision {
  if (effect === 'deny' && ids.length === 0) {
    return { effect, policyIds: [DEFAULT_DENY_ID], reasons: ['no policy permits this request'], obligations: [] };
  }
  const sorted = [...ids].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const obligations = effect === 'deny' ? [] : [...new Set([...sorted.flatMap((id) => byId.get(id)?.obligations ?? []), ...(extra.obligations ?? [])])];
  return {
    effect, policyIds: sorted, reasons: [...sorted.map((id) => reasonOf(byId.get(id), id)), ...(extra.reasons ?? [])], obligations,
  };
}

export interface ResolveInputs {
  /** Cedar's answer over the action's slice, in which every hold was evaluated as a permit. */
  outcome: CedarOutcome;
  byId: ReadonlyMap<string, CompiledPolicy>;
  approved: boolean;
  useOfForce: boolean;
}

/**
 * The hold convention. Cedar has only permit and forbid, so a forbid annotated @effect("hold")
 * means "needs approval". The engine evaluates each hold as a permit, so one evaluation tells
 * everything: a deny comes only from plain forbids (or from no permit: default.deny); an
 * allow's satisfied policies split into real permits and holds. Holds with a permit give hold
 * (allow once an approval covers the request); holds without a permit deny as default.deny,
 * since a hold never stands in for a missing permit. Any evaluation error denies (policy.error).
 */
export function resolveDecision(inputs: ResolveInputs): Decision {
  const { outcome, byId } = inputs;
  if (outcome.kind === 'error') return failClosed(POLICY_ERROR_ID, outcome.errors);
  if (outcome.kind === 'deny') return decisionFrom('deny', outcome.policyIds, byId);
  const holds = outcome.policyIds.filter((id) => byId.get(id)?.hold === true);
  const permits = outcome.policyIds.filter((id) => byId.get(id)?.hold !== true);
  if (permits.length === 0) return decisionFrom('deny', [], byId);
  const obligations = inputs.useOfForce ? [DECISION_SUPPORT] : [];
  if (holds.length === 0) return decisionFrom('allow', permits, byId, { obligations });
  if (inputs.approved) {
    const satisfied = [...holds].sort().map((id) => `an approval satisfied hold ${id}`);
    return decisionFrom('allow', permits, byId, { obligations, reasons: satisfied });
  }
  return decisionFrom('hold', holds, byId, { obligations });
}
