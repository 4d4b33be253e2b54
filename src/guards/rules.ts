/** The rule layer: every category's concepts and rules compiled into one rule set. */
import { RuleSet } from './rules/engine.ts';
import { FORCE_LEXICON, FORCE_RULES } from './rules/force.ts';
import { INJECTION_LEXICON, INJECTION_PATTERNS, INJECTION_RULES } from './rules/injection.ts';
import { SURVEILLANCE_LEXICON, SURVEILLANCE_RULES } from './rules/surveillance.ts';
import { TOPIC_LEXICON } from './rules/topics.ts';
import { WMD_LEXICON, WMD_RULES } from './rules/wmd.ts';

export type { Rule, PatternRule, RuleHit } from './rules/engine.ts';

/** All concepts, by name; terms are in the folded form normaliseText produces. */
export const LEXICON: Readonly<Record<string, readonly string[]>> = {
  ...SURVEILLANCE_LEXICON,
  ...FORCE_LEXICON,
  ...WMD_LEXICON,
  ...INJECTION_LEXICON,
  ...TOPIC_LEXICON,
};

/** The shipped rules, compiled once at module load (a few milliseconds). */
export const RULE_SET = new RuleSet(
  LEXICON,
  [...SURVEILLANCE_RULES, ...FORCE_RULES, ...WMD_RULES, ...INJECTION_RULES],
  INJECTION_PATTERNS,
);
