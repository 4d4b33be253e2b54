/**
 * A bounded memo in front of the policy engine. Cedar's answer is a pure function of the
 * loaded (immutable) policies and the request passed in, so two identical requests get the same
 * decision; the key is the whole request, so nothing that could change the answer is left out.
 * Most chat requests repeat (same caller, model, empty signals, same label), and a hit costs a
 * few microseconds instead of a Cedar evaluation.
 */
import type { Decision, PolicyEngine, PolicyRequest } from '../policy/index.ts';

export interface DecisionCache {
  decide(request: PolicyRequest): Decision;
  readonly size: number;
}

/** Wraps `engine` with an LRU of at most `capacity` decisions; capacity 0 disables it. */
export function createDecisionCache(engine: PolicyEngine, capacity = 10_000): DecisionCache {
  const entries = new Map<string, Decision>();
  return {
    get size() { return entries.size; },
    decide(request) {
      if (capacity === 0) return engine.decide(request);
      const key = JSON.stringify(request);
      const hit = entries.get(key);
      if (hit) {
        entries.delete(key);
        entries.set(key, hit);
        return hit;
      }
      const decision = engine.decide(request);
      // Fail-closed errors are not cached: the next request gets a fresh evaluation.
      if (!decision.errors?.length) {
        entries.set(key, Object.freeze({ ...decision, policyIds: [...decision.policyIds], reasons: [...decision.reasons], obligations: [...decision.obligations] }) as Decision);
        if (entries.size > capacity) entries.delete(entries.keys().next().value!);
      }
      return decision;
    },
  };
}
