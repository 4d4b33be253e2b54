/** Serialises a Label in canonical order, as a banner line or as a portion mark. */
import { compareCountryCodes } from './countries.ts';
import type { Label } from './label.ts';
import { LEVEL_ABBREVIATIONS, LEVEL_NAMES } from './levels.ts';
import { DISSEM_BANNER, DISSEM_ORDER, NON_IC_BANNER, compareAscii, type DissemSlot } from './vocabulary.ts';

type Form = 'banner' | 'portion';

/** Rebuilds `SYSTEM-COMP SUB SUB-COMP2` tokens from the closed set of SCI paths. */
function formatSci(paths: readonly string[]): string[] {
  const systems = new Map<string, Map<string, string[]>>();
  for (const p of paths) {
    const dash = p.indexOf('-');
    const system = dash < 0 ? p : p.slice(0, dash);
    let comps = systems.get(system);
    if (!comps) systems.set(system, (comps = new Map()));
    if (dash < 0) continue;
    const rest = p.slice(dash + 1);
    const space = rest.indexOf(' ');
    const comp = space < 0 ? rest : rest.slice(0, space);
    let subs = comps.get(comp);
    if (!subs) comps.set(comp, (subs = []));
    if (space >= 0) subs.push(rest.slice(space + 1));
  }
  return [...systems.keys()].sort(compareAscii).map((system) => {
    const comps = systems.get(system)!;
    const parts = [...comps.keys()].sort(compareAscii).map((c) => [c, ...comps.get(c)!.sort(compareAscii)].join(' '));
    return [system, ...parts].join('-');
  });
}

/** The AEA tokens to show: the strongest of RD-CNWDI / RD / FRD, then the others. */
function formatAea(label: Label): string[] {
  const aea = label.aea;
  const rd = aea.includes('RD-CNWDI') ? 'RD-CNWDI' : aea.includes('RD') ? 'RD' : aea.includes('FRD') ? 'FRD' : null;
  const rest = aea.filter((m) => m !== 'RD-CNWDI' && m !== 'RD' && m !== 'FRD');
  return rd ? [rd, ...rest] : rest;
}

/**
 * Whether the release markings show as NOFORN. A roll-up whose REL TO intersection is USA alone is
 * NOFORN (markings.md roll-up); NOFORN hides RELIDO and DISPLAY ONLY, which may not accompany it.
 */
export function showsNoforn(label: Label): boolean {
  return label.noforn || (label.relTo !== null && label.relTo.length < 2);
}

function formatDissem(label: Label, form: Form): string[] {
  const noforn = showsNoforn(label);
  const slots: DissemSlot[] = label.dissem.filter((d) => !(noforn && d === 'RELIDO'));
  if (noforn) slots.push('NF');
  else if (label.relTo) slots.push('REL');
  if (label.displayOnly && !noforn) slots.push('DISPLAY');
  slots.sort((a, b) => DISSEM_ORDER.get(a)! - DISSEM_ORDER.get(b)!);
  return slots.map((s) => {
    if (s === 'REL') return `REL TO ${label.relTo!.join(', ')}`;
    if (s === 'DISPLAY') return `DISPLAY ONLY ${label.displayOnly!.join(', ')}`;
    return form === 'banner' ? DISSEM_BANNER.get(s) ?? s : s;
  });
}

function formatClassification(label: Label, form: Form): string {
  const level = form === 'banner' ? LEVEL_NAMES[label.level] : LEVEL_ABBREVIATIONS[label.level];
  if (label.origin === 'FOREIGN') return `//${label.fgiConcealed ? 'FGI' : label.fgi[0]} ${level}`;
  if (label.origin === 'JOINT') return `//JOINT ${level} ${[...label.fgi, 'USA'].sort(compareCountryCodes).join(' ')}`;
  return label.cui ? 'CUI' : level;
}

function render(label: Label, form: Form): string {
  const parts = [formatClassification(label, form)];
  const push = (tokens: readonly string[]) => { if (tokens.length > 0) parts.push(tokens.join('/')); };
  if (label.cui) push(label.cui);
  push(formatSci(label.sci));
  push(label.sap.map((id) => `SAR-${id}`));
  push(formatAea(label));
  if (label.origin === 'US') push(label.fgiConcealed ? ['FGI'] : label.fgi.length > 0 ? [`FGI ${label.fgi.join(' ')}`] : []);
  push(formatDissem(label, form));
  push(label.nonIc.map((c) => (form === 'banner' ? NON_IC_BANNER.get(c) ?? c : c)));
  return parts.join('//');
}

/**
 * The banner line: full classification and banner forms, categories in the register's order.
 * REL TO lists are written out country by country (groups were expanded when parsed).
 * @example formatBanner(parseMarking('(TS//SI//NF)')) // 'TOP SECRET//SI//NOFORN'
 */
export function formatBanner(label: Label): string {
  return render(label, 'banner');
}

/**
 * The portion mark, with parentheses: abbreviated classification and portion forms.
 * @example formatPortion(parseMarking('SECRET//NOFORN')) // '(S//NF)'
 */
export function formatPortion(label: Label): string {
  return `(${render(label, 'portion')})`;
}
