/** The Label: a parsed marking as immutable plain data, normalised so equal markings are equal values. */
import { addExpanded, compareCountryCodes } from './countries.ts';
import type { Level } from './levels.ts';
import {
  AEA_IMPLIES, AEA_MARKINGS, DISSEM_ORDER, NON_IC_CONTROLS, compareAscii, compareCuiCategories,
  type AeaMarking, type DissemControl, type NonIcControl,
} from './vocabulary.ts';

/** Who classified the information: the U.S., one foreign government (`//DEU S`), or jointly (`//JOINT S ...`). */
export type Origin = 'US' | 'FOREIGN' | 'JOINT';

/**
 * A classification label. Arrays are sorted, duplicate-free and frozen; build labels with
 * parseMarking or leastUpperBound rather than by hand.
 */
export interface Label {
  readonly level: Level;
  /** FOREIGN and JOINT labels carry their owners in `fgi` (JOINT: the co-owners other than USA). */
  readonly origin: Origin;
  /** SCI paths, closed under prefixes: `SI-G ABCD` comes with `SI-G` and `SI`. */
  readonly sci: readonly string[];
  /** Special access program identifiers (the XX of SAR-XX). */
  readonly sap: readonly string[];
  /** AEA markings, closed under implication: RD-CNWDI brings RD, RD brings FRD. */
  readonly aea: readonly AeaMarking[];
  /** Foreign government sources (trigraphs, or a tetragraph such as NATO); empty when concealed. */
  readonly fgi: readonly string[];
  /** Bare FGI: a foreign source that may not be named. */
  readonly fgiConcealed: boolean;
  /** Dissemination controls other than NOFORN, REL TO and DISPLAY ONLY, in canonical order. */
  readonly dissem: readonly DissemControl[];
  /**
   * REL TO countries, groups expanded, USA first. null: no REL TO. A roll-up whose intersection
   * leaves USA alone holds `['USA']`, which is shown (and acts) as NOFORN.
   */
  readonly relTo: readonly string[] | null;
  /** NOFORN. */
  readonly noforn: boolean;
  /** DISPLAY ONLY countries, groups expanded. null: none. */
  readonly displayOnly: readonly string[] | null;
  /** Non-IC dissemination controls (LIMDIS as DS, EXDIS as XD, NODIS as ND, SBU, LES, SSI). */
  readonly nonIc: readonly NonIcControl[];
  /** CUI categories (`SP-PRVCY`, `CTI`...); null when the label is not CUI, [] for basic CUI. */
  readonly cui: readonly string[] | null;
}

/** The fields of a label before normalisation; anything omitted is empty. */
export interface LabelParts {
  level: Level;
  origin?: Origin;
  sci?: Iterable<string>;
  sap?: Iterable<string>;
  aea?: Iterable<AeaMarking>;
  fgi?: Iterable<string>;
  fgiConcealed?: boolean;
  dissem?: Iterable<DissemControl>;
  relTo?: Iterable<string> | null;
  noforn?: boolean;
  displayOnly?: Iterable<string> | null;
  nonIc?: Iterable<NonIcControl>;
  cui?: Iterable<string> | null;
}

const EMPTY: readonly never[] = Object.freeze([]);
const AEA_RANK = new Map<AeaMarking, number>(AEA_MARKINGS.map((m, i) => [m, i]));
const NON_IC_RANK = new Map<NonIcControl, number>(NON_IC_CONTROLS.map((m, i) => [m, i]));

function frozen<T>(values: Iterable<T>, compare: (a: T, b: T) => number): readonly T[] {
  const out = [...new Set(values)];
  if (out.length === 0) return EMPTY;
  return Object.freeze(out.sort(compare));
}

function byRank<T>(rank: ReadonlyMap<T, number>): (a: T, b: T) => number {
  return (a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0);
}

/** Adds every prefix of each SCI path (`SI-G ABCD` -> `SI`, `SI-G`, `SI-G ABCD`). */
function closeSci(paths: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const p of paths) {
    const space = p.indexOf(' ');
    const dash = p.indexOf('-');
    if (dash > 0) out.add(p.slice(0, dash));
    if (space > 0) out.add(p.slice(0, space));
    out.add(p);
  }
  return out;
}

function closeAea(markings: Iterable<AeaMarking>): Set<AeaMarking> {
  const out = new Set<AeaMarking>();
  for (const m of markings) {
    out.add(m);
    for (const implied of AEA_IMPLIES.get(m) ?? EMPTY) out.add(implied);
  }
  return out;
}

function countries(codes: Iterable<string>, withUsa: boolean): readonly string[] {
  const set = new Set<string>();
  for (const c of codes) addExpanded(c, set);
  if (withUsa) set.add('USA');
  else set.delete('USA');
  const rest = [...set].filter((c) => c !== 'USA').sort(compareCountryCodes);
  return Object.freeze(withUsa ? ['USA', ...rest] : rest);
}

/** Normalises parts into a frozen Label: expands groups, closes SCI and AEA sets, sorts, dedupes. */
export function makeLabel(parts: LabelParts): Label {
  return Object.freeze({
    level: parts.level,
    origin: parts.origin ?? 'US',
    sci: frozen(closeSci(parts.sci ?? EMPTY), compareAscii),
    sap: frozen(parts.sap ?? EMPTY, compareAscii),
    aea: frozen(closeAea(parts.aea ?? EMPTY), byRank(AEA_RANK)),
    fgi: parts.fgiConcealed ? EMPTY : frozen(parts.fgi ?? EMPTY, compareCountryCodes),
    fgiConcealed: parts.fgiConcealed ?? false,
    dissem: frozen(parts.dissem ?? EMPTY, byRank(DISSEM_ORDER)),
    relTo: parts.relTo ? countries(parts.relTo, true) : null,
    noforn: parts.noforn ?? false,
    displayOnly: parts.displayOnly ? countries(parts.displayOnly, false) : null,
    nonIc: frozen(parts.nonIc ?? EMPTY, byRank(NON_IC_RANK)),
    cui: parts.cui ? frozen(parts.cui, compareCuiCategories) : null,
  });
}

/** UNCLASSIFIED with no controls: the bottom of the lattice, and the roll-up of nothing. */
export const UNCLASSIFIED: Label = makeLabel({ level: 0 });

function sameList(a: readonly string[] | null, b: readonly string[] | null): boolean {
  if (a === b) return true;
  if (a === null || b === null || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when two labels are the same value (every field equal). */
export function labelsEqual(a: Label, b: Label): boolean {
  return a === b || (a.level === b.level && a.origin === b.origin && a.fgiConcealed === b.fgiConcealed
    && a.noforn === b.noforn && sameList(a.sci, b.sci) && sameList(a.sap, b.sap) && sameList(a.aea, b.aea)
    && sameList(a.fgi, b.fgi) && sameList(a.dissem, b.dissem) && sameList(a.relTo, b.relTo)
    && sameList(a.displayOnly, b.displayOnly) && sameList(a.nonIc, b.nonIc) && sameList(a.cui, b.cui));
}
