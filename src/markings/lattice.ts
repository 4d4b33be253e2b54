/**
 * The access lattice of markings.md: dominance over level, SCI, SAP and AEA categories and the
 * inverse NOT-REL categories, and the roll-up (least upper bound) of a set of labels.
 */
import { UNCLASSIFIED, labelsEqual, makeLabel, type Label, type Origin } from './label.ts';
import type { Level } from './levels.ts';
import { CUI_ONLY_CONTROLS, isUcni, type AeaMarking, type DissemControl, type NonIcControl } from './vocabulary.ts';

function containsAll(big: readonly string[], small: readonly string[]): boolean {
  if (small.length > big.length) return false;
  for (const x of small) if (!big.includes(x)) return false;
  return true;
}

/** Unclassified with no release marking: releasable to everyone, so it holds no NOT-REL bit. */
export function isOpenRelease(l: Label): boolean {
  return l.level === 0 && !l.noforn && l.relTo === null;
}

/**
 * Holds every NOT-REL bit: NOFORN, a REL TO that names USA alone (a roll-up's empty intersection),
 * or a classified label with no release marking ("counts as U.S.-only").
 */
export function isUsOnly(l: Label): boolean {
  return l.noforn || (l.relTo === null ? l.level > 0 : l.relTo.length < 2);
}

/** NOT-REL(a) contains NOT-REL(b), i.e. a is releasable to no country b is not releasable to. */
function releaseDominates(a: Label, b: Label): boolean {
  if (isUsOnly(a)) return true;
  if (isOpenRelease(a)) return isOpenRelease(b);
  if (isOpenRelease(b)) return true;
  if (isUsOnly(b)) return false;
  return containsAll(b.relTo!, a.relTo!);
}

/**
 * True when `a` dominates `b`: level(a) >= level(b), a holds every SCI, SAP and AEA category of b
 * (a classified label absorbs DOD/DOE UCNI, which only marks unclassified information), and every
 * NOT-REL bit of b. Dissemination controls, FGI and CUI are not lattice categories (markings.md
 * rule 5); on labels that differ only in those, dominance holds both ways.
 * @example dominates(parseMarking('TS//SI//NF'), parseMarking('S//REL TO USA, GBR')) // true
 */
export function dominates(a: Label, b: Label): boolean {
  if (a.level < b.level) return false;
  if (!containsAll(a.sci, b.sci) || !containsAll(a.sap, b.sap)) return false;
  for (const m of b.aea) if (!a.aea.includes(m) && !(a.level > 0 && isUcni(m))) return false;
  return releaseDominates(a, b);
}

function intersect(acc: string[] | null, list: readonly string[]): string[] {
  return acc === null ? [...list] : acc.filter((c) => list.includes(c));
}

/** Owner key: '' for US unclassified (absorbed by anything), '*' for US classified, else the foreign owner. */
function ownerKey(l: Label): string {
  if (l.origin === 'US') return l.level === 0 ? '' : '*';
  return `${l.origin}:${l.fgiConcealed ? '' : l.fgi.join(' ')}`;
}

/**
 * The roll-up of markings.md: max level; unions of SCI, SAP, AEA (RD absorbs FRD) and FGI (a
 * concealed source gives bare FGI); union of dissemination controls except FOUO (dropped from
 * classified banners), RELIDO (kept only if every classified label has it) and ORCON-USGOV (kept only
 * if no label has plain ORCON); REL TO intersected after expanding groups, kept only if every
 * classified label has REL TO, NOFORN if any label is NOFORN or the intersection is USA alone.
 * DISPLAY ONLY, a permission like REL TO, is kept only if every classified label has it (lists
 * intersected). CUI, CUI-only controls and DOD/DOE UCNI drop from classified roll-ups, as FOUO does.
 * Labels of one foreign owner (or one joint ownership) keep their foreign form (`//DEU SECRET`);
 * any other classified label turns the roll-up into a U.S. banner with FGI.
 *
 * Each rule is a join on its own component, so the result does not depend on order or grouping:
 * leastUpperBound([a, b, c]) equals leastUpperBound([leastUpperBound([a, b]), c]). To stay so, a
 * roll-up remembers a little more than its banner shows: an empty REL TO intersection is kept as
 * `relTo: ['USA']` (shown NOFORN, so a later unmarked classified portion still yields no marking, as
 * in worked example 9), and RELIDO / DISPLAY ONLY under NOFORN are kept but not shown. Re-parsing the
 * banner gives the same lattice point. The roll-up of nothing is UNCLASSIFIED.
 * @example formatBanner(leastUpperBound(['(S//REL TO USA, GBR)', '(C//NF)'].map(parseMarking))) // 'SECRET//NOFORN'
 */
export function leastUpperBound(labels: Iterable<Label>): Label {
  const list = Array.isArray(labels) ? (labels as readonly Label[]) : [...labels];
  const first = list[0];
  if (first === undefined) return UNCLASSIFIED;
  // Portions of one document often carry the same marking: nothing to combine.
  if (list.every((l) => labelsEqual(l, first))) return first;

  let level: Level = 0;
  let owner = '';
  const sci = new Set<string>(), sap = new Set<string>(), aea = new Set<AeaMarking>(), fgi = new Set<string>();
  const dissem = new Set<DissemControl>(), nonIc = new Set<NonIcControl>();
  let concealed = false, fouo = false, orcon = 0, relido = true;
  let releaseRank = -1, relTo: string[] | null = null;
  let displayRank = -1, displayOnly: string[] | null = null;
  let cui: Set<string> | null = null;

  for (const l of list) {
    if (l.level > level) level = l.level;
    const key = ownerKey(l);
    if (key !== '') owner = owner === '' || owner === key ? key : '*';
    for (const x of l.sci) sci.add(x);
    for (const x of l.sap) sap.add(x);
    for (const x of l.aea) aea.add(x);
    for (const x of l.fgi) fgi.add(x);
    for (const x of l.nonIc) nonIc.add(x);
    concealed ||= l.fgiConcealed;
    for (const d of l.dissem) {
      if (d === 'OC') orcon = 2;
      else if (d === 'OC-USGOV') orcon = Math.max(orcon, 1);
      else if (d === 'FOUO') fouo = true;
      else if (d !== 'RELIDO') dissem.add(d);
    }
    if (l.level > 0 && !l.dissem.includes('RELIDO')) relido = false;
    const r = l.noforn ? 2 : l.relTo ? 0 : l.level > 0 ? 1 : -1;
    if (r > releaseRank) releaseRank = r;
    if (r === 0) relTo = intersect(relTo, l.relTo!);
    const d = l.displayOnly ? 0 : l.level > 0 ? 1 : -1;
    if (d > displayRank) displayRank = d;
    if (d === 0) displayOnly = intersect(displayOnly, l.displayOnly!);
    if (l.cui) {
      cui ??= new Set();
      for (const c of l.cui) cui.add(c);
    }
  }

  const classified = level > 0;
  if (classified) {
    aea.delete('DOD UCNI');
    aea.delete('DOE UCNI');
    cui = null;
    for (const c of CUI_ONLY_CONTROLS) dissem.delete(c);
  }
  if (orcon > 0) dissem.add(orcon === 2 ? 'OC' : 'OC-USGOV');
  if (fouo && !classified && !cui) dissem.add('FOUO');
  if (relido && classified) dissem.add('RELIDO');
  const foreign = owner !== '' && owner !== '*';
  return makeLabel({
    level, origin: foreign ? (owner.slice(0, owner.indexOf(':')) as Origin) : 'US',
    sci, sap, aea, fgi, fgiConcealed: concealed, dissem, nonIc,
    relTo: releaseRank === 0 ? relTo : null, noforn: releaseRank === 2,
    displayOnly: displayRank === 0 && displayOnly && displayOnly.length > 0 ? displayOnly : null,
    cui: cui ? [...cui] : null,
  });
}
