/** Access for a principal: no read up over the lattice, releasability by nationality; policy flags. */
import { COUNTRY_TRIGRAPHS } from './countries.ts';
import { showsNoforn } from './format.ts';
import type { Label } from './label.ts';
import { isOpenRelease } from './lattice.ts';
import { LEVEL_NAMES } from './levels.ts';
import { DISSEM_BANNER, DISSEM_ORDER, NON_IC_BANNER, isUcni, type DissemSlot } from './vocabulary.ts';

/** A principal's clearance: the highest label they may see, and their nationality (ISO 3166 alpha-3). */
export interface Clearance {
  readonly label: Label;
  readonly nationality: string;
}

/** The rule ids a denial can carry; stable, for audit records and HTTP errors. */
export const ACCESS_RULES = {
  level: 'no-read-up.level',
  sci: 'no-read-up.sci',
  sap: 'no-read-up.sap',
  aea: 'no-read-up.aea',
  noforn: 'releasability.noforn',
  usOnly: 'releasability.us-only',
  relTo: 'releasability.rel-to',
  nationality: 'releasability.nationality',
} as const;
export type AccessRule = (typeof ACCESS_RULES)[keyof typeof ACCESS_RULES];

export type AccessDecision = { allowed: true } | { allowed: false; reason: string; rule: AccessRule };

const ALLOWED: AccessDecision = Object.freeze({ allowed: true });

function deny(rule: AccessRule, reason: string): AccessDecision {
  return { allowed: false, reason, rule };
}

/**
 * Whether a principal may see an item (markings.md "Access"): the clearance must dominate the item
 * in level, SCI, SAP and AEA; a U.S. national holds every NOT-REL bit, any other national every
 * bit but their own country's, so they see only unclassified items without NOFORN or REL TO, or
 * items REL TO their country (directly or through a group). ORCON, PROPIN, IMCON, FISA, DISPLAY
 * ONLY and the other controls of policyControls() are left to the policy layer: this check never
 * denies on them. Denial reasons name the category that is missing but never a compartment,
 * sub-compartment or program identifier, whose names may themselves be classified.
 */
export function checkAccess(clearance: Clearance, item: Label): AccessDecision {
  const c = clearance.label;
  const nationality = typeof clearance.nationality === 'string' ? clearance.nationality.toUpperCase() : '';
  if (!COUNTRY_TRIGRAPHS.has(nationality)) {
    return deny(ACCESS_RULES.nationality, 'the principal\'s nationality is not a known ISO 3166 alpha-3 code');
  }
  if (c.level < item.level) {
    return deny(ACCESS_RULES.level, `the item is ${LEVEL_NAMES[item.level]}, above the clearance's ${LEVEL_NAMES[c.level]}`);
  }
  for (const path of item.sci) {
    if (c.sci.includes(path)) continue;
    const system = path.split(/[- ]/, 1)[0];
    return deny(ACCESS_RULES.sci, `the clearance lacks an SCI ${path === system ? 'control system' : 'compartment'} the item requires (${system})`);
  }
  for (const id of item.sap) {
    if (!c.sap.includes(id)) return deny(ACCESS_RULES.sap, 'the clearance lacks a special access program the item requires');
  }
  for (const m of item.aea) {
    if (!c.aea.includes(m) && !(c.level > 0 && isUcni(m))) return deny(ACCESS_RULES.aea, `the clearance lacks ${m} access`);
  }
  if (nationality === 'USA' || isOpenRelease(item)) return ALLOWED;
  if (showsNoforn(item)) return deny(ACCESS_RULES.noforn, `the item is NOFORN; the principal is a ${nationality} national`);
  if (item.relTo === null) {
    return deny(ACCESS_RULES.usOnly, `the item is classified with no release marking, so U.S. only; the principal is a ${nationality} national`);
  }
  if (!item.relTo.includes(nationality)) {
    return deny(ACCESS_RULES.relTo, `the item is releasable to ${item.relTo.join(', ')} only; the principal is a ${nationality} national`);
  }
  return ALLOWED;
}

/** A control that is not lattice-shaped: a policy decision (markings.md rule 5). Banner forms. */
export type PolicyControl =
  | 'RSEN' | 'ORCON' | 'ORCON-USGOV' | 'IMCON' | 'FED ONLY' | 'FEDCON' | 'NOCON' | 'DL ONLY' | 'PROPIN'
  | 'RELIDO' | 'DSEN' | 'FISA' | 'DISPLAY ONLY' | 'ATTORNEY-CLIENT' | 'ATTORNEY-WP'
  | 'LIMDIS' | 'EXDIS' | 'NODIS' | 'SBU' | 'LES' | 'SSI';

const NONE: readonly PolicyControl[] = Object.freeze([]);

/**
 * The label's controls that checkAccess does not decide: every dissemination control except FOUO
 * (a handling caveat) and NOFORN / REL TO (which the lattice enforces), in canonical order. A policy
 * layer denies on each unless its policy allows it. DISPLAY ONLY's countries are `label.displayOnly`.
 */
export function policyControls(label: Label): readonly PolicyControl[] {
  const noforn = showsNoforn(label);
  const slots: DissemSlot[] = label.dissem.filter((d) => d !== 'FOUO' && !(noforn && d === 'RELIDO'));
  if (label.displayOnly && !noforn) slots.push('DISPLAY');
  if (slots.length === 0 && label.nonIc.length === 0) return NONE;
  slots.sort((a, b) => DISSEM_ORDER.get(a)! - DISSEM_ORDER.get(b)!);
  const out = slots.map((s) => (s === 'DISPLAY' ? 'DISPLAY ONLY' : DISSEM_BANNER.get(s) ?? s) as PolicyControl);
  for (const c of label.nonIc) out.push(NON_IC_BANNER.get(c) as PolicyControl);
  return Object.freeze(out);
}
