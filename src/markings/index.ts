/** Classification markings: grammar, labels, the access lattice and roll-up (docs/markings.md). */
export { MarkingError, MARKING_ERROR_CODES, type MarkingErrorCode } from './errors.ts';
export { LEVEL_NAMES, LEVEL_ABBREVIATIONS, levelOf, compareLevel, type Level } from './levels.ts';
export { UNCLASSIFIED, labelsEqual, type Label, type Origin } from './label.ts';
export type { AeaMarking, DissemControl, NonIcControl } from './vocabulary.ts';
export { COUNTRY_GROUPS, isCountryTrigraph } from './countries.ts';
export { parseMarking, tryParseMarking, MARKING_MAX_LENGTH, type ParseResult } from './parse.ts';
export { formatBanner, formatPortion } from './format.ts';
export { dominates, leastUpperBound } from './lattice.ts';
export {
  checkAccess, policyControls, ACCESS_RULES,
  type Clearance, type AccessDecision, type AccessRule, type PolicyControl,
} from './access.ts';
export { findMarkings, FIND_MARKINGS_LIMIT, type FoundMarking, type FindMarkingsOptions } from './find.ts';
