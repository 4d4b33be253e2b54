/** The controlled vocabulary: SCI systems, AEA, dissemination, non-IC and CUI control tokens. */
import type { Level } from './levels.ts';

/** SCI control systems and the lowest level each may appear at (markings.md: HCS >= C; KDK, RSV >= S). */
export const SCI_SYSTEMS: ReadonlyMap<string, Level> = new Map<string, Level>([
  ['HCS', 1], ['KDK', 2], ['RSV', 2], ['SI', 1], ['TK', 1],
]);

/** The SI compartment whose presence requires ORCON (IC register: SI-GAMMA). */
export const SI_GAMMA = 'SI-G';

/** Atomic Energy Act markings, in the register's order. */
export const AEA_MARKINGS = ['RD-CNWDI', 'RD', 'FRD', 'DOD UCNI', 'DOE UCNI', 'TFNI'] as const;
export type AeaMarking = (typeof AEA_MARKINGS)[number];

/** What each AEA marking implies: CNWDI is a kind of RD, and RD access covers FRD ("RD absorbs FRD"). */
export const AEA_IMPLIES: ReadonlyMap<AeaMarking, readonly AeaMarking[]> = new Map<AeaMarking, readonly AeaMarking[]>([
  ['RD-CNWDI', ['RD', 'FRD']], ['RD', ['FRD']],
]);

export const AEA_ALIASES: ReadonlyMap<string, AeaMarking> = new Map<string, AeaMarking>([
  ['RD', 'RD'], ['RESTRICTED DATA', 'RD'],
  ['RD-CNWDI', 'RD-CNWDI'], ['RESTRICTED DATA-CRITICAL NUCLEAR WEAPON DESIGN INFORMATION', 'RD-CNWDI'],
  ['FRD', 'FRD'], ['FORMERLY RESTRICTED DATA', 'FRD'],
  ['TFNI', 'TFNI'], ['TRANSCLASSIFIED FOREIGN NUCLEAR INFORMATION', 'TFNI'],
  ['DOD UCNI', 'DOD UCNI'], ['DOD UNCLASSIFIED CONTROLLED NUCLEAR INFORMATION', 'DOD UCNI'],
  ['DOE UCNI', 'DOE UCNI'], ['DOE UNCLASSIFIED CONTROLLED NUCLEAR INFORMATION', 'DOE UCNI'],
]);

/** DOD UCNI and DOE UCNI: the AEA markings that only mark unclassified information. */
export function isUcni(m: AeaMarking): boolean {
  return m === 'DOD UCNI' || m === 'DOE UCNI';
}

/**
 * Dissemination controls kept in `Label.dissem` (portion forms). NOFORN, REL TO and DISPLAY ONLY
 * are carried in their own label fields. FED ONLY ... ATTORNEY-WP are CUI limited dissemination
 * controls (32 CFR 2002.16(b)(4)); they appear only on CUI.
 */
export const DISSEM_CONTROLS = [
  'RS', 'FOUO', 'OC', 'OC-USGOV', 'IMC', 'FED ONLY', 'FEDCON', 'NOCON', 'DL ONLY', 'PR', 'RELIDO', 'DSEN', 'FISA',
  'ATTORNEY-CLIENT', 'ATTORNEY-WP',
] as const;
export type DissemControl = (typeof DISSEM_CONTROLS)[number];

/** CUI-only limited dissemination controls. */
export const CUI_ONLY_CONTROLS: ReadonlySet<DissemControl> = new Set<DissemControl>(
  ['FED ONLY', 'FEDCON', 'NOCON', 'DL ONLY', 'ATTORNEY-CLIENT', 'ATTORNEY-WP'],
);

/** A dissemination-category token: a kept control, or one of the release fields. */
export type DissemSlot = DissemControl | 'NF' | 'REL' | 'DISPLAY';

/**
 * Canonical order inside the dissemination category (markings.md: RS, FOUO, OC, IMC, NF, PR, REL,
 * RELIDO, DSEN, FISA, DISPLAY ONLY), with the CUI LDCs placed as the CUI Registry orders them
 * (NOFORN, FED ONLY, FEDCON, NOCON, DL ONLY, REL TO, DISPLAY ONLY, ATTORNEY-CLIENT, ATTORNEY-WP).
 */
export const DISSEM_ORDER: ReadonlyMap<DissemSlot, number> = new Map<DissemSlot, number>([
  ['RS', 0], ['FOUO', 1], ['OC', 2], ['OC-USGOV', 3], ['IMC', 4], ['NF', 5], ['FED ONLY', 6], ['FEDCON', 7],
  ['NOCON', 8], ['DL ONLY', 9], ['PR', 10], ['REL', 11], ['RELIDO', 12], ['DSEN', 13], ['FISA', 14],
  ['DISPLAY', 15], ['ATTORNEY-CLIENT', 16], ['ATTORNEY-WP', 17],
]);

/** Banner (full or banner-abbreviated) forms of the portion tokens. */
export const DISSEM_BANNER: ReadonlyMap<DissemSlot, string> = new Map<DissemSlot, string>([
  ['RS', 'RSEN'], ['OC', 'ORCON'], ['OC-USGOV', 'ORCON-USGOV'], ['IMC', 'IMCON'], ['NF', 'NOFORN'], ['PR', 'PROPIN'],
]);

/** Every accepted spelling (portion, banner, title) of a fixed dissemination token. */
export const DISSEM_ALIASES: ReadonlyMap<string, DissemControl | 'NF'> = new Map<string, DissemControl | 'NF'>([
  ['RS', 'RS'], ['RSEN', 'RS'], ['RISK SENSITIVE', 'RS'],
  ['FOUO', 'FOUO'], ['FOR OFFICIAL USE ONLY', 'FOUO'],
  ['OC', 'OC'], ['ORCON', 'OC'], ['ORIGINATOR CONTROLLED', 'OC'],
  ['OC-USGOV', 'OC-USGOV'], ['ORCON-USGOV', 'OC-USGOV'],
  ['IMC', 'IMC'], ['IMCON', 'IMC'], ['CONTROLLED IMAGERY', 'IMC'],
  ['NF', 'NF'], ['NOFORN', 'NF'], ['NOT RELEASABLE TO FOREIGN NATIONALS', 'NF'],
  ['PR', 'PR'], ['PROPIN', 'PR'], ['CAUTION-PROPRIETARY INFORMATION INVOLVED', 'PR'],
  ['RELIDO', 'RELIDO'], ['RELEASABLE BY INFORMATION DISCLOSURE OFFICIAL', 'RELIDO'],
  ['DSEN', 'DSEN'], ['DEA SENSITIVE', 'DSEN'],
  ['FISA', 'FISA'], ['FOREIGN INTELLIGENCE SURVEILLANCE ACT', 'FISA'],
  ['FED ONLY', 'FED ONLY'], ['FEDCON', 'FEDCON'], ['NOCON', 'NOCON'], ['DL ONLY', 'DL ONLY'],
  ['ATTORNEY-CLIENT', 'ATTORNEY-CLIENT'], ['ATTORNEY-WP', 'ATTORNEY-WP'],
]);

/** Non-IC dissemination controls (portion forms), in the register's order. */
export const NON_IC_CONTROLS = ['DS', 'XD', 'ND', 'SBU', 'LES', 'SSI'] as const;
export type NonIcControl = (typeof NON_IC_CONTROLS)[number];

export const NON_IC_BANNER: ReadonlyMap<NonIcControl, string> = new Map<NonIcControl, string>([
  ['DS', 'LIMDIS'], ['XD', 'EXDIS'], ['ND', 'NODIS'], ['SBU', 'SBU'], ['LES', 'LES'], ['SSI', 'SSI'],
]);

export const NON_IC_ALIASES: ReadonlyMap<string, NonIcControl> = new Map<string, NonIcControl>([
  ['DS', 'DS'], ['LIMDIS', 'DS'], ['LIMITED DISTRIBUTION', 'DS'],
  ['XD', 'XD'], ['EXDIS', 'XD'], ['EXCLUSIVE DISTRIBUTION', 'XD'],
  ['ND', 'ND'], ['NODIS', 'ND'], ['NO DISTRIBUTION', 'ND'],
  ['SBU', 'SBU'], ['SENSITIVE BUT UNCLASSIFIED', 'SBU'],
  ['LES', 'LES'], ['LAW ENFORCEMENT SENSITIVE', 'LES'],
  ['SSI', 'SSI'], ['SENSITIVE SECURITY INFORMATION', 'SSI'],
]);

/** Orders CUI category markings: specified (SP-) categories first, then A-Z. */
export function compareCuiCategories(a: string, b: string): number {
  const sa = a.startsWith('SP-');
  const sb = b.startsWith('SP-');
  if (sa !== sb) return sa ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Plain code-unit order, the order of SCI systems, compartments and SAP identifiers. */
export function compareAscii(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
