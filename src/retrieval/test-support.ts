/** Test helpers: an independent access computation (markings.md's NOT-REL lattice), written apart from checkAccess. */
import type { Label } from '../markings/index.ts';

/** Countries whose NOT-REL bits the tests track: every nationality a test uses, and more. */
const UNIVERSE = ['AUS', 'CAN', 'DEU', 'FRA', 'GBR', 'NZL', 'JPN'];

/** NOT-REL-xx bits of an item: all for U.S.-only, none for open release, the absent ones for REL TO. */
function notRelBits(item: Label): Set<string> {
  const classified = item.level > 0;
  if (!item.noforn && item.relTo === null && !classified) return new Set();
  if (item.noforn || item.relTo === null || item.relTo.filter((c) => c !== 'USA').length === 0) return new Set(UNIVERSE);
  return new Set(UNIVERSE.filter((c) => !item.relTo!.includes(c)));
}

/** The bits a clearance holds by nationality: a U.S. national all, anyone else all but their own. */
function heldBits(nationality: string): Set<string> {
  return new Set(UNIVERSE.filter((c) => c !== nationality));
}

const POLICY_DISSEM = new Set(['RS', 'OC', 'OC-USGOV', 'IMC', 'PR', 'RELIDO', 'DSEN', 'FISA']);

/**
 * Whether a reader with `clearance` and `nationality` may read `item`: level, SCI, SAP, AEA
 * (classified readers absorb UCNI), NOT-REL bits, and no policy-only control.
 */
export function independentlyVisible(clearance: Label, nationality: string, item: Label): boolean {
  if (item.level > clearance.level) return false;
  if (!item.sci.every((s) => clearance.sci.includes(s))) return false;
  if (!item.sap.every((s) => clearance.sap.includes(s))) return false;
  if (!item.aea.every((a) => clearance.aea.includes(a) || (clearance.level > 0 && a.endsWith('UCNI')))) return false;
  if (item.dissem.some((d) => POLICY_DISSEM.has(d)) || item.nonIc.length > 0 || (item.displayOnly && !item.noforn)) return false;
  const held = heldBits(nationality);
  for (const bit of notRelBits(item)) if (!held.has(bit)) return false;
  return true;
}
