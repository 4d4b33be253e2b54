/** Parses banner lines and portion marks (full or abbreviated forms) into Labels. */
import { compareCountryCodes, isCountryCode } from './countries.ts';
import { MarkingError, quote } from './errors.ts';
import { makeLabel, type Label, type LabelParts } from './label.ts';
import { levelOf, type Level } from './levels.ts';
import { CATEGORY_NAMES, Category, isKnownToken, readToken, type Token } from './parse-tokens.ts';
import { assertValidLabel } from './rules.ts';
import {
  AEA_MARKINGS, DISSEM_ORDER, NON_IC_CONTROLS, compareAscii, compareCuiCategories,
  type AeaMarking, type DissemControl, type NonIcControl,
} from './vocabulary.ts';

/** Longest marking accepted, in UTF-16 code units. Markings are short; anything longer is hostile. */
export const MARKING_MAX_LENGTH = 4096;

export type ParseResult = { ok: true; label: Label } | { ok: false; error: MarkingError };

const CUI_CATEGORY = /^(?:SP-)?[A-Z][A-Z0-9]{1,15}(?:-[A-Z0-9]{1,15})?$/;

interface Draft extends LabelParts {
  sci: string[]; sap: string[]; aea: AeaMarking[]; fgi: string[]; dissem: DissemControl[]; nonIc: NonIcControl[];
  cui?: string[] | null;
}

/** Whitespace- and case-tolerant; strips one pair of portion parentheses. */
function normalise(input: unknown): string {
  if (typeof input !== 'string') throw new MarkingError('INVALID_INPUT', 'a marking must be a string');
  if (input.length > MARKING_MAX_LENGTH) throw new MarkingError('TOO_LONG', `a marking is at most ${MARKING_MAX_LENGTH} characters`);
  let s = input.replace(/\s+/g, ' ').trim();
  if (!s) throw new MarkingError('EMPTY_MARKING', 'the marking is empty');
  // Reject non-ASCII before upper-casing: 'ı'.toUpperCase() is 'I', which would let look-alikes through.
  const bad = /[^A-Za-z0-9 /,()-]/.exec(s);
  if (bad) throw new MarkingError('INVALID_CHARACTER', `character ${quote(bad[0])} (U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}) is not allowed in a marking`);
  s = s.toUpperCase();
  if (s.startsWith('(')) {
    if (!s.endsWith(')')) throw new MarkingError('UNBALANCED_PARENTHESES', 'a portion mark opened with ( must end with )');
    s = s.slice(1, -1).trim();
  }
  if (s.includes('(') || s.includes(')')) throw new MarkingError('UNBALANCED_PARENTHESES', 'parentheses may only enclose a whole portion mark');
  s = s.replace(/ ?\/ ?/g, '/').replace(/ ?- ?/g, '-').replace(/ ?, ?/g, ', ');
  if (!s) throw new MarkingError('EMPTY_MARKING', 'the portion mark is empty');
  return s;
}

function readLevel(words: string[]): { level: Level | undefined; used: number } {
  if (words[0] === 'TOP' && words[1] === 'SECRET') return { level: 3, used: 2 };
  return { level: words[0] === undefined ? undefined : levelOf(words[0]), used: 1 };
}

/** `//DEU S`, `//FGI S` (source concealed) or `//JOINT S CAN GBR USA`. */
function readForeign(seg: string, draft: Draft): void {
  const [owner = '', ...rest] = seg.split(' ');
  const joint = owner === 'JOINT';
  const { level, used } = joint ? readLevel(rest) : { level: levelOf(rest.join(' ')), used: rest.length };
  if (level === undefined) throw new MarkingError('MISSING_CLASSIFICATION', `foreign classification ${quote(seg)} must be //OWNER LEVEL`);
  if (level === 0) throw new MarkingError('FOREIGN_LEVEL', 'a foreign or joint classification must be CONFIDENTIAL or higher');
  draft.level = level;
  if (joint) {
    const owners = rest.slice(used);
    for (const c of owners) if (!isCountryCode(c)) throw new MarkingError('UNKNOWN_COUNTRY', `JOINT: unknown country ${quote(c)}`);
    if (!owners.includes('USA') || owners.length < 2) throw new MarkingError('COUNTRY_LIST', 'JOINT lists USA and at least one other owner');
    for (let i = 1; i < owners.length; i++) {
      if (compareCountryCodes(owners[i - 1]!, owners[i]!) >= 0) throw new MarkingError('TOKEN_ORDER', 'JOINT owners are listed once each, A-Z');
    }
    draft.origin = 'JOINT';
    draft.fgi = owners.filter((c) => c !== 'USA');
    return;
  }
  draft.origin = 'FOREIGN';
  if (owner === 'FGI') draft.fgiConcealed = true;
  else if (owner === 'USA') throw new MarkingError('COUNTRY_LIST', 'USA is not a foreign classification authority');
  else if (isCountryCode(owner)) draft.fgi = [owner];
  else throw new MarkingError('UNKNOWN_COUNTRY', `unknown foreign classification authority ${quote(owner)}`);
}

function readClassification(seg: string, draft: Draft): void {
  if (seg.includes('/')) throw new MarkingError('BAD_SEPARATOR', `categories are separated by "//", not "/" (after ${quote(seg.split('/')[0] ?? '')})`);
  if (seg === 'CUI') {
    draft.cui = [];
    return;
  }
  const level = levelOf(seg);
  if (level === undefined) throw new MarkingError('MISSING_CLASSIFICATION', `a marking starts with a classification (U, C, S, TS, full names, CUI or //OWNER LEVEL), not ${quote(seg)}`);
  draft.level = level;
}

function readCuiCategories(tokens: string[], draft: Draft): void {
  for (const t of tokens) {
    if (isKnownToken(t)) throw new MarkingError('MISPLACED_TOKEN', `${quote(t)} is not a CUI category; it belongs in its own "//" category`);
    if (!CUI_CATEGORY.test(t)) throw new MarkingError('INVALID_CUI_CATEGORY', `CUI category ${quote(t)} is not a category marking (e.g. SP-PRVCY, CTI)`);
  }
  strictlyAscending(tokens, compareCuiCategories, 'CUI categories');
  draft.cui = tokens;
}

function strictlyAscending<T>(values: readonly T[], compare: (a: T, b: T) => number, what: string, show: (v: T) => string = String): void {
  for (let i = 1; i < values.length; i++) {
    const c = compare(values[i - 1]!, values[i]!);
    if (c === 0) throw new MarkingError('DUPLICATE_TOKEN', `${what}: ${show(values[i]!)} appears twice`);
    if (c > 0) throw new MarkingError('TOKEN_ORDER', `${what}: ${show(values[i]!)} must come before ${show(values[i - 1]!)}`);
  }
}

const AEA_RANK = new Map<AeaMarking, number>(AEA_MARKINGS.map((m, i) => [m, i]));
const NON_IC_RANK = new Map<NonIcControl, number>(NON_IC_CONTROLS.map((m, i) => [m, i]));

/** Applies one category's tokens (all of the same category) to the draft. */
function applyCategory(tokens: Token[], draft: Draft): void {
  const first = tokens[0]!;
  switch (first.cat) {
    case Category.SCI: {
      const sci = tokens as Extract<Token, { cat: typeof Category.SCI }>[];
      for (let i = 1; i < sci.length; i++) {
        const c = compareAscii(sci[i - 1]!.system, sci[i]!.system);
        if (c === 0) throw new MarkingError('SCI_SYSTEM_REPEATED', `SCI system ${sci[i]!.system} appears twice; join its compartments with "-"`);
        if (c > 0) throw new MarkingError('TOKEN_ORDER', `SCI: ${sci[i]!.system} must come before ${sci[i - 1]!.system}`);
      }
      for (const t of sci) draft.sci.push(...t.paths);
      return;
    }
    case Category.SAP:
      draft.sap = (tokens as Extract<Token, { cat: typeof Category.SAP }>[]).map((t) => t.id);
      strictlyAscending(draft.sap, compareAscii, 'SAP');
      return;
    case Category.AEA: {
      const values = (tokens as Extract<Token, { cat: typeof Category.AEA }>[]).map((t) => t.value);
      const rd = values.filter((v) => v === 'RD' || v === 'RD-CNWDI' || v === 'FRD');
      if (new Set(rd).size > 1) throw new MarkingError('AEA_CONFLICT', `${rd.join(' and ')} may not be combined: RD-CNWDI implies RD, and RD absorbs FRD`);
      strictlyAscending(values, (a, b) => AEA_RANK.get(a)! - AEA_RANK.get(b)!, 'AEA');
      draft.aea = values;
      return;
    }
    case Category.FGI:
      if (tokens.length > 1) throw new MarkingError('DUPLICATE_TOKEN', 'FGI: list every source country in one FGI token');
      draft.fgi = first.countries;
      draft.fgiConcealed = first.concealed;
      return;
    case Category.DISSEM:
      return applyDissem(tokens as Extract<Token, { cat: typeof Category.DISSEM }>[], draft);
    case Category.NON_IC:
      draft.nonIc = (tokens as Extract<Token, { cat: typeof Category.NON_IC }>[]).map((t) => t.value);
      strictlyAscending(draft.nonIc, (a, b) => NON_IC_RANK.get(a)! - NON_IC_RANK.get(b)!, 'non-IC dissemination');
  }
}

function applyDissem(tokens: Extract<Token, { cat: typeof Category.DISSEM }>[], draft: Draft): void {
  const slots = tokens.map((t) => t.slot);
  if (slots.includes('NF') && slots.includes('REL')) throw new MarkingError('NOFORN_WITH_REL_TO', 'NOFORN and REL TO are mutually exclusive');
  if (slots.includes('OC') && slots.includes('OC-USGOV')) throw new MarkingError('ORCON_CONFLICT', 'ORCON and ORCON-USGOV may not be combined');
  if (slots.includes('NF') && slots.includes('RELIDO')) throw new MarkingError('RELIDO_WITH_NOFORN', 'RELIDO may not be combined with NOFORN');
  if (slots.includes('NF') && slots.includes('DISPLAY')) throw new MarkingError('DISPLAY_ONLY_WITH_NOFORN', 'DISPLAY ONLY may not be combined with NOFORN');
  strictlyAscending(slots, (a, b) => DISSEM_ORDER.get(a)! - DISSEM_ORDER.get(b)!, 'dissemination controls', (s) => (s === 'REL' ? 'REL TO' : s === 'DISPLAY' ? 'DISPLAY ONLY' : s));
  for (const t of tokens) {
    if (t.slot === 'NF') draft.noforn = true;
    else if (t.slot === 'REL') draft.relTo = t.countries ?? [];
    else if (t.slot === 'DISPLAY') draft.displayOnly = t.countries ?? [];
    else if (t.value) draft.dissem.push(t.value);
  }
}

function parseNormalised(s: string): Label {
  const segments = s.split('//');
  for (const seg of segments) {
    if (seg.startsWith('/') || seg.endsWith('/')) throw new MarkingError('BAD_SEPARATOR', 'use "//" between categories and "/" inside one');
  }
  const draft: Draft = { level: 0, sci: [], sap: [], aea: [], fgi: [], dissem: [], nonIc: [] };
  let i = 1;
  if (segments[0] === '') {
    if (!segments[1]) throw new MarkingError('EMPTY_CATEGORY', 'a foreign classification follows "//"');
    readForeign(segments[1], draft);
    i = 2;
  } else {
    readClassification(segments[0]!, draft);
  }
  let previous = 0;
  for (; i < segments.length; i++) {
    const seg = segments[i]!;
    if (!seg) throw new MarkingError('EMPTY_CATEGORY', 'empty category between "//" separators');
    const words = seg.split('/');
    if (words.includes('')) throw new MarkingError('BAD_SEPARATOR', 'empty token between "/" separators');
    if (draft.cui && previous === 0 && draft.cui.length === 0 && !isKnownToken(words[0]!)) {
      readCuiCategories(words, draft);
      previous = 0.5;
      continue;
    }
    const tokens = words.map(readToken);
    const cat = tokens[0]!.cat;
    for (const [k, t] of tokens.entries()) {
      if (t.cat !== cat) throw new MarkingError('MISPLACED_TOKEN', `${quote(words[k]!)} is a ${CATEGORY_NAMES[t.cat]} marking and needs its own "//" category, not the ${CATEGORY_NAMES[cat]} one`);
    }
    if (cat === previous) throw new MarkingError('DUPLICATE_CATEGORY', `the ${CATEGORY_NAMES[cat]} category appears twice`);
    if (cat < previous) throw new MarkingError('CATEGORY_ORDER', `the ${CATEGORY_NAMES[cat]} category must come before ${CATEGORY_NAMES[previous as Category]}`);
    if (draft.origin && draft.origin !== 'US' && cat <= Category.FGI) {
      throw new MarkingError('FOREIGN_CATEGORY', `a foreign or joint classification carries no ${CATEGORY_NAMES[cat]} markings`);
    }
    applyCategory(tokens, draft);
    previous = cat;
  }
  const label = makeLabel(draft);
  assertValidLabel(label);
  return label;
}

/**
 * Parses a banner line or portion mark, with or without parentheses, full or abbreviated.
 * Throws MarkingError (and nothing else) naming the broken rule.
 * @example parseMarking('(TS//SI-G/TK//OC/NF)').level // 3
 */
export function parseMarking(marking: string): Label {
  try {
    return parseNormalised(normalise(marking));
  } catch (err) {
    if (err instanceof MarkingError) throw err;
    throw new MarkingError('INVALID_INPUT', 'the marking could not be parsed', { cause: err });
  }
}

/** parseMarking as a value: `{ ok: true, label }` or `{ ok: false, error }`; never throws. */
export function tryParseMarking(marking: unknown): ParseResult {
  try {
    return { ok: true, label: parseMarking(marking as string) };
  } catch (err) {
    return { ok: false, error: err instanceof MarkingError ? err : new MarkingError('INVALID_INPUT', 'the marking could not be parsed', { cause: err }) };
  }
}
