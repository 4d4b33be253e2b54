/** Classification levels U < C < S < TS, their banner names and portion abbreviations. */

/** 0 UNCLASSIFIED, 1 CONFIDENTIAL, 2 SECRET, 3 TOP SECRET (EO 13526 sec. 1.2). */
export type Level = 0 | 1 | 2 | 3;

/** Banner-line names, indexed by level. */
export const LEVEL_NAMES = ['UNCLASSIFIED', 'CONFIDENTIAL', 'SECRET', 'TOP SECRET'] as const;

/** Portion-mark abbreviations, indexed by level. */
export const LEVEL_ABBREVIATIONS = ['U', 'C', 'S', 'TS'] as const;

const BY_NAME: ReadonlyMap<string, Level> = new Map<string, Level>([
  ['UNCLASSIFIED', 0], ['U', 0], ['CONFIDENTIAL', 1], ['C', 1],
  ['SECRET', 2], ['S', 2], ['TOP SECRET', 3], ['TS', 3],
]);

/**
 * The level named by a full or abbreviated classification, case- and space-tolerant.
 * @example levelOf('top secret') // 3
 */
export function levelOf(name: string): Level | undefined {
  return BY_NAME.get(name.trim().replace(/\s+/g, ' ').toUpperCase());
}

/** Negative, zero or positive as `a` is below, equal to or above `b`. */
export function compareLevel(a: Level, b: Level): number {
  return a - b;
}
