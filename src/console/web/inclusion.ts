/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * One entry's inclusion proof checked in the browser against the checkpoint the page shows, not
 * merely against whichever checkpoint arrives with the proof: the gateway proves against its latest
 * checkpoint, which may be newer (or, behind a lagging replica, older) than the one on the page,
 * and then an RFC 9162 consistency proof between the two ties the proof's root to the shown one.
 */
import { parseCheckpointText, parseSignedNote, type BrowserCheckpoint } from './checkpoint.ts';
import { bytesEqual, fromHex, leafHash, rootFromInclusionProof, toHex, verifyConsistency, type HashName } from './merkle.ts';

/** What the console API sends for GET /console/api/audit/proof/:index. */
export interface InclusionProof { index: number; size: number; entry: string; leaf_hash: string; proof: string[]; checkpoint: string }

/** Fetches the consistency proof (hex hashes) between tree sizes `from` <= `to`. */
export type ConsistencySource = (from: number, to: number) => Promise<{ proof: string[] }>;

export interface InclusionResult { ok: boolean; message: string }

const encoder = new TextEncoder();

function hexes(list: unknown): Uint8Array[] | undefined {
  if (!Array.isArray(list)) return undefined;
  try {
    return list.map((x) => fromHex(String(x)));
  } catch {
    return undefined;
  }
}

/**
 * Checks that entry `p.index` with text `p.entry` is in `shown` (a checkpoint whose body the page
 * parsed itself): the leaf hash is recomputed, the proof's root must be its checkpoint's root, and
 * that checkpoint must be `shown` (same size and root) or be proven consistent with it.
 */
export async function checkInclusion(p: InclusionProof, shown: BrowserCheckpoint, alg: HashName, consistency: ConsistencySource): Promise<InclusionResult> {
  const note = parseSignedNote(p.checkpoint);
  const cp = note && parseCheckpointText(note.text, alg);
  if (!cp || cp.size !== p.size) return { ok: false, message: 'The checkpoint in the proof does not parse or has another size.' };
  if (cp.origin !== shown.origin) return { ok: false, message: `The proof is against another log (${cp.origin}).` };
  if (!Number.isSafeInteger(p.index) || p.index < 0 || p.index >= shown.size) {
    return { ok: false, message: `Entry ${p.index} is not in the checkpoint shown (${shown.size} entries).` };
  }
  const leaf = await leafHash(alg, encoder.encode(p.entry));
  if (toHex(leaf) !== p.leaf_hash) return { ok: false, message: 'The entry does not hash to the leaf hash the gateway sent.' };
  const path = hexes(p.proof);
  const root = path && await rootFromInclusionProof(alg, p.index, p.size, leaf, path);
  if (!root) return { ok: false, message: 'The proof has the wrong shape for this entry and tree size.' };
  if (!bytesEqual(root, cp.root)) return { ok: false, message: 'The proof does not lead to the root of its checkpoint.' };
  const shownRoot = `${toHex(shown.root).slice(0, 16)}…`;
  if (cp.size === shown.size) {
    if (!bytesEqual(cp.root, shown.root)) {
      return { ok: false, message: `The proof's checkpoint has the size of the one shown (${shown.size}) but another root: the gateway is showing two different logs.` };
    }
    return { ok: true, message: `Verified in this browser: entry ${p.index} is in the log of ${shown.size} entries shown above, whose root is ${shownRoot}` };
  }
  const [small, large] = cp.size < shown.size ? [cp, shown] : [shown, cp];
  let c: { proof: string[] };
  try {
    c = await consistency(small.size, large.size);
  } catch {
    return { ok: false, message: `The proof is against a checkpoint of ${cp.size} entries, and no consistency proof with the ${shown.size} shown could be fetched.` };
  }
  const cpath = hexes(c.proof);
  if (!cpath || !(await verifyConsistency(alg, small.size, large.size, small.root, large.root, cpath))) {
    return { ok: false, message: `The proof is against a checkpoint of ${cp.size} entries that is NOT consistent with the ${shown.size} shown.` };
  }
  return {
    ok: true,
    message: `Verified in this browser: entry ${p.index} is in the log of ${shown.size} entries shown above, whose root is ${shownRoot} `
      + `(proven against the gateway's checkpoint of ${cp.size} entries, checked consistent with the one shown).`,
  };
}
