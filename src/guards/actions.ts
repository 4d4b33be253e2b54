/** Default decisions per category (design.md, "Red lines"), used until the policy part decides. */
import type { GuardAction, GuardCategory, GuardSignal, GuardSource } from './types.ts';

/** The rule id whose hit makes a use_of_force signal an autonomous engagement: always denied. */
export const AUTONOMOUS_ENGAGEMENT_RULE = 'uof.autonomous_engagement';

/**
 * design.md's default decision: mass_surveillance, wmd and prompt_injection deny; use_of_force is
 * decision support only, so it holds for a named human's approval, except autonomous engagement,
 * which is denied; none allows. For a retrieved portion or tool result, deny means "drop it from
 * the context", not "fail the request".
 * @example defaultAction('wmd') // 'deny'
 */
export function defaultAction(signal: GuardSignal | GuardCategory, _context?: { source?: GuardSource }): GuardAction {
  const category = typeof signal === 'string' ? signal : signal.category;
  switch (category) {
    case 'none':
      return 'allow';
    case 'use_of_force':
      return typeof signal !== 'string' && signal.evidence.some((e) => e.rule === AUTONOMOUS_ENGAGEMENT_RULE) ? 'deny' : 'hold';
    case 'mass_surveillance':
    case 'wmd':
    case 'prompt_injection':
      return 'deny';
  }
}

/** A short, human-readable reason for a refusal, naming the red line (no evidence text). */
export function describeRefusal(signal: GuardSignal): string {
  const rules = [...new Set(signal.evidence.map((e) => e.rule).filter((r): r is string => Boolean(r)))];
  const by = rules.length ? ` (rules: ${rules.join(', ')})` : ` (classifier score ${signal.score.toFixed(2)})`;
  return `Stopped: this crosses the red line "${signal.category}"${by}.`;
}
