/** Public surface of the guards part: red-line classification, injection filtering, U.S.-person masking. */
export {
  GUARD_CATEGORIES, RED_LINES, GuardError,
  type GuardCategory, type RedLine, type GuardSource, type GuardLayer, type GuardEvidence, type GuardSignal,
  type GuardAction, type GuardThresholds, type GuardErrorCode,
} from './types.ts';
export { loadGuards, type Guards, type GuardOptions, type ClassifyOptions } from './guards.ts';
export { JudgeOptionsSchema, type JudgeOptions } from './judge.ts';
export { parseGuardConfig } from './config.ts';
export { defaultAction, describeRefusal, AUTONOMOUS_ENGAGEMENT_RULE } from './actions.ts';
export { scanPortion, filterContext, type PortionVerdict, type ContextFilterResult } from './context.ts';
export {
  createMasker, maskText,
  type Masker, type MaskerOptions, type UsPersonIdentity, type IdentifierLists, type UnmaskRequest, type MaskedIdentity,
} from './mask.ts';
export { createOutputGuard, type OutputGuard, type OutputGuardOptions, type OutputStep } from './output-guard.ts';
export { evaluateGuards, formatReport, parseLabelledLines, type EvalReport, type LabelledLine } from './eval.ts';
export { benchGuards } from './bench.ts';
