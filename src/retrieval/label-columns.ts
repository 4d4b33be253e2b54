/**
 * Labels to the store's access columns and back, and a principal's clearance to query parameters.
 * The columns encode markings.md's lattice so that a plain WHERE clause decides access exactly as
 * checkAccess does: level, required categories, and the NOT-REL categories of releasability.
 */
import {
  formatBanner, isCountryTrigraph, labelsEqual, policyControls, tryParseMarking,
  type Label, type PolicyControl,
} from '../markings/index.ts';
import type { CorpusAccess, CorpusLabelColumns } from './corpus-store.ts';
import { RetrievalError } from './errors.ts';

/** Who is asking: the Principal of the identity part fits this shape. */
export interface RetrievalPrincipal {
  readonly clearance: Label;
  /** ISO 3166 alpha-3; anything else reads nothing (as checkAccess denies it). */
  readonly nationality: string;
}

/** Prefixes of the category tokens, so that an SCI path and a SAP id can never collide. */
export const TOKEN_PREFIXES = { sci: 'SCI:', sap: 'SAP:', aea: 'AEA:', control: 'CTRL:' } as const;

// DOD/DOE UCNI only mark unclassified information; any classified clearance absorbs them (checkAccess).
const UCNI_TOKENS = [`${TOKEN_PREFIXES.aea}DOD UCNI`, `${TOKEN_PREFIXES.aea}DOE UCNI`];

const NOTHING: CorpusAccess = Object.freeze({ level: -1, tokens: Object.freeze([]), country: null });

function sorted(tokens: Iterable<string>): string[] {
  return [...new Set(tokens)].sort();
}

/**
 * The tokens a reader must hold: every SCI path, SAP and AEA category of the label, and its
 * policy-only controls (ORCON, PROPIN, IMCON, ...: markings.md rule 5), which are withheld unless
 * the deployment allows them (RetrieverOptions.allowedControls).
 */
export function requiredTokens(label: Label): string[] {
  return sorted([
    ...label.sci.map((p) => TOKEN_PREFIXES.sci + p),
    ...label.sap.map((p) => TOKEN_PREFIXES.sap + p),
    ...label.aea.map((p) => TOKEN_PREFIXES.aea + p),
    ...policyControls(label).map((c) => TOKEN_PREFIXES.control + c),
  ]);
}

/**
 * The store columns of a label. Releasability as inverse categories: an open label (unclassified,
 * no NOFORN, no REL TO) holds no NOT-REL bit; a U.S.-only one (NOFORN, REL TO USA alone, or
 * classified without a release marking) holds all; otherwise it is releasable to `releaseTo`.
 * Throws UNSTORABLE_LABEL for a label that its banner does not reproduce, since the retriever
 * rebuilds labels from the stored banner.
 */
export function labelColumns(label: Label): CorpusLabelColumns {
  const marking = formatBanner(label);
  const back = tryParseMarking(marking);
  if (!back.ok || !labelsEqual(back.label, label)) {
    throw new RetrievalError('UNSTORABLE_LABEL', `the label ${marking} does not round-trip through its banner`);
  }
  const open = label.level === 0 && !label.noforn && label.relTo === null;
  const usOnly = label.noforn || (label.relTo === null ? label.level > 0 : label.relTo.length < 2);
  return {
    marking, level: label.level, tokens: requiredTokens(label), releaseOpen: open,
    releaseTo: open || usOnly ? [] : label.relTo!.filter((c) => c !== 'USA'),
  };
}

/**
 * Query parameters for what a principal may read: their level, the categories their clearance
 * holds (plus allowed policy controls), and their nationality unless it is USA (a U.S. national
 * holds every NOT-REL category). An unknown nationality reads nothing.
 */
export function accessFor(principal: RetrievalPrincipal, allowedControls: readonly PolicyControl[] = []): CorpusAccess {
  const nationality = typeof principal.nationality === 'string' ? principal.nationality.toUpperCase() : '';
  if (!isCountryTrigraph(nationality)) return NOTHING;
  const c = principal.clearance;
  return {
    level: c.level,
    tokens: sorted([
      ...c.sci.map((p) => TOKEN_PREFIXES.sci + p),
      ...c.sap.map((p) => TOKEN_PREFIXES.sap + p),
      ...c.aea.map((p) => TOKEN_PREFIXES.aea + p),
      ...(c.level > 0 ? UCNI_TOKENS : []),
      ...allowedControls.map((p) => TOKEN_PREFIXES.control + p),
    ]),
    country: nationality === 'USA' ? null : nationality,
  };
}

const LABEL_CACHE_LIMIT = 4096;
const labelCache = new Map<string, Label>();

/** The Label of a stored banner (cached; the corpus holds few distinct labels). */
export function labelOfMarking(marking: string): Label {
  let label = labelCache.get(marking);
  if (label) return label;
  const parsed = tryParseMarking(marking);
  // A stored banner that no longer parses is a defect; failing closed beats guessing a label.
  if (!parsed.ok) throw new RetrievalError('UNSTORABLE_LABEL', `a stored label does not parse: ${parsed.error.message}`);
  label = parsed.label;
  if (labelCache.size >= LABEL_CACHE_LIMIT) labelCache.clear();
  labelCache.set(marking, label);
  return label;
}
