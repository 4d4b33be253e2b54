/** Reads one token of a marking (the text between `/` separators) into what it stands for. */
import { MarkingError, quote } from './errors.ts';
import { compareCountryCodes, isCountryCode } from './countries.ts';
import {
  AEA_ALIASES, DISSEM_ALIASES, NON_IC_ALIASES, compareAscii,
  type AeaMarking, type DissemControl, type DissemSlot, type NonIcControl,
} from './vocabulary.ts';

/** Categories in the order markings.md fixes: CLASSIFICATION // SCI // SAP // AEA // FGI // DISSEM // NON-IC. */
export const Category = { SCI: 1, SAP: 2, AEA: 3, FGI: 4, DISSEM: 5, NON_IC: 6 } as const;
export type Category = (typeof Category)[keyof typeof Category];

export const CATEGORY_NAMES: Record<Category, string> = {
  [Category.SCI]: 'SCI', [Category.SAP]: 'SAP', [Category.AEA]: 'AEA', [Category.FGI]: 'FGI',
  [Category.DISSEM]: 'dissemination', [Category.NON_IC]: 'non-IC dissemination',
};

export type Token =
  | { cat: typeof Category.SCI; system: string; paths: string[] }
  | { cat: typeof Category.SAP; id: string }
  | { cat: typeof Category.AEA; value: AeaMarking }
  | { cat: typeof Category.FGI; countries: string[]; concealed: boolean }
  | { cat: typeof Category.DISSEM; slot: DissemSlot; value?: DissemControl; countries?: string[] }
  | { cat: typeof Category.NON_IC; value: NonIcControl };

const SCI_HEAD = /^(HCS|KDK|RSV|SI|TK)(?:-|$)/;
const SCI_NAME = /^[A-Z0-9]{1,20}$/;
const SAP_ID = /^[A-Z0-9]{1,20}(?:[ -][A-Z0-9]{1,20}){0,4}$/;
const SAP_PREFIXES = ['SAR-', 'SPECIAL ACCESS REQUIRED-'];
const REL_PREFIXES = ['REL TO ', 'AUTHORIZED FOR RELEASE TO '];
const DISPLAY_PREFIX = 'DISPLAY ONLY';

function ascending(values: readonly string[], compare: (a: string, b: string) => number, what: string): void {
  for (let i = 1; i < values.length; i++) {
    const c = compare(values[i - 1]!, values[i]!);
    if (c === 0) throw new MarkingError('DUPLICATE_TOKEN', `${what}: ${values[i]} appears twice`);
    if (c > 0) throw new MarkingError('TOKEN_ORDER', `${what}: ${values[i]} must come before ${values[i - 1]}`);
  }
}

/** `SYSTEM[-COMPARTMENT[ SUB...]]...` (IC register A.6): compartments joined by `-`, sub-compartments by spaces. */
function readSci(token: string, system: string): Token {
  const paths = [system];
  const compartments: string[] = [];
  for (const part of token.split('-').slice(1)) {
    const words = part.split(' ');
    let comp = words[0] ?? '';
    if (system === 'SI' && comp === 'GAMMA') comp = 'G';
    const subs = words.slice(1);
    for (const name of [comp, ...subs]) {
      if (!SCI_NAME.test(name)) throw new MarkingError('INVALID_SCI', `SCI control ${quote(token)}: compartments and sub-compartments are 1-20 letters or digits`);
    }
    ascending(subs, compareAscii, `sub-compartments of ${system}-${comp}`);
    compartments.push(comp);
    paths.push(`${system}-${comp}`, ...subs.map((s) => `${system}-${comp} ${s}`));
  }
  ascending(compartments, compareAscii, `compartments of ${system}`);
  return { cat: Category.SCI, system, paths };
}

function readCountries(list: string[], what: string): string[] {
  for (const code of list) {
    if (!isCountryCode(code)) throw new MarkingError('UNKNOWN_COUNTRY', `${what}: unknown country or group ${quote(code)}`);
  }
  return list;
}

/** REL TO USA, then trigraphs A-Z, then tetragraphs A-Z (markings.md, REL TO lists). */
function readRelTo(list: string): Token {
  const codes = readCountries(list.split(', '), 'REL TO');
  if (codes[0] !== 'USA') throw new MarkingError('REL_TO_USA_FIRST', 'REL TO lists must start with USA');
  const rest = codes.slice(1);
  if (rest.includes('USA')) throw new MarkingError('DUPLICATE_TOKEN', 'REL TO: USA appears twice');
  if (rest.length === 0) throw new MarkingError('REL_TO_USA_ONLY', 'REL TO must name a country besides USA; use NOFORN');
  for (let i = 1; i < rest.length; i++) {
    const c = compareCountryCodes(rest[i - 1]!, rest[i]!);
    if (c === 0) throw new MarkingError('DUPLICATE_TOKEN', `REL TO: ${rest[i]} appears twice`);
    if (c > 0) throw new MarkingError('REL_TO_ORDER', `REL TO: after USA, trigraphs A-Z then tetragraphs A-Z (${rest[i]} before ${rest[i - 1]})`);
  }
  return { cat: Category.DISSEM, slot: 'REL', countries: rest };
}

function readDisplayOnly(token: string): Token {
  const list = token.slice(DISPLAY_PREFIX.length).trim();
  if (!list) throw new MarkingError('DISPLAY_ONLY_LIST', 'DISPLAY ONLY must name the countries it allows');
  const codes = readCountries(list.split(', '), 'DISPLAY ONLY');
  if (codes.includes('USA')) throw new MarkingError('COUNTRY_LIST', 'DISPLAY ONLY lists foreign countries only');
  ascending(codes, compareCountryCodes, 'DISPLAY ONLY');
  return { cat: Category.DISSEM, slot: 'DISPLAY', countries: codes };
}

/** `FGI` alone (source concealed) or `FGI DEU GBR` (trigraphs A-Z, then tetragraphs). */
function readFgi(token: string): Token {
  if (token === 'FGI') return { cat: Category.FGI, countries: [], concealed: true };
  const codes = readCountries(token.slice(4).split(' '), 'FGI');
  if (codes.includes('USA')) throw new MarkingError('COUNTRY_LIST', 'FGI lists foreign governments; USA is not one');
  ascending(codes, compareCountryCodes, 'FGI');
  return { cat: Category.FGI, countries: codes, concealed: false };
}

/** Reads one normalised token, or null when it is outside the vocabulary; throws on a malformed known token. */
function lookupToken(token: string): Token | null {
  const sci = SCI_HEAD.exec(token);
  if (sci) return readSci(token, sci[1]!);
  for (const prefix of SAP_PREFIXES) {
    if (!token.startsWith(prefix)) continue;
    const id = token.slice(prefix.length);
    if (!SAP_ID.test(id)) throw new MarkingError('INVALID_SAP', `special access program ${quote(token)}: identifier must be letters and digits`);
    return { cat: Category.SAP, id };
  }
  const aea = AEA_ALIASES.get(token);
  if (aea) return { cat: Category.AEA, value: aea };
  if (token === 'FGI' || token.startsWith('FGI ')) return readFgi(token);
  const dissem = DISSEM_ALIASES.get(token);
  if (dissem) return dissem === 'NF' ? { cat: Category.DISSEM, slot: 'NF' } : { cat: Category.DISSEM, slot: dissem, value: dissem };
  for (const prefix of REL_PREFIXES) if (token.startsWith(prefix)) return readRelTo(token.slice(prefix.length));
  if (token === 'REL TO' || token === 'REL') throw new MarkingError('REL_TO_USA_FIRST', 'REL TO must be followed by USA and the countries');
  if (token === DISPLAY_PREFIX || token.startsWith(`${DISPLAY_PREFIX} `)) return readDisplayOnly(token);
  return NON_IC_ALIASES.has(token) ? { cat: Category.NON_IC, value: NON_IC_ALIASES.get(token)! } : null;
}

/** Reads one normalised token; throws UNKNOWN_TOKEN for anything outside the vocabulary. */
export function readToken(token: string): Token {
  const read = lookupToken(token);
  if (read) return read;
  throw new MarkingError('UNKNOWN_TOKEN', `unknown marking token ${quote(token)}`);
}

/** True when the token belongs to the vocabulary, well-formed or not (tells a CUI category from the next category). */
export function isKnownToken(token: string): boolean {
  try {
    return lookupToken(token) !== null;
  } catch {
    return true;
  }
}
