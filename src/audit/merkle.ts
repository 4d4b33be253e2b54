/**
 * Merkle tree hash, inclusion and consistency proofs (RFC 9162 section 2.1). Sizes and indexes are
 * JS numbers up to 2^53 - 1, so bit operations use arithmetic, not 32-bit operators. Verification
 * functions take attacker-controlled proofs and never throw on them: they return false.
 */
import { bytesEqual } from '../crypto/index.ts';
import { treeHasher, type TreeHasher } from './tree-hash.ts';

/** A half-open range of leaf indexes [start, end) whose Merkle tree hash a proof carries. */
export type LeafRange = readonly [start: number, end: number];

/** Where proof generation gets subtree hashes: MTH(D[start:end]) for the log at hand. */
export interface SubtreeSource {
  subtreeHash(start: number, end: number): Uint8Array | Promise<Uint8Array>;
}

const isSafeSize = (n: number) => Number.isSafeInteger(n) && n >= 0;
const lsb = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

/** The largest power of two smaller than n, for n > 1 (the split point k of RFC 9162 2.1.1). */
export function largestPowerOfTwoBelow(n: number): number {
  if (!(n > 1) || !isSafeSize(n)) throw new RangeError(`no split point for ${n}`);
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]) over leaf hashes (RFC 9162 2.1.1), iteratively. */
export function rootFromLeafHashes(leafHashes: readonly Uint8Array[], hasher: TreeHasher = treeHasher()): Uint8Array {
  if (leafHashes.length === 0) return hasher.emptyRoot();
  let level = leafHashes.slice();
  // Pairing left to right and carrying an odd last node up unchanged gives the same tree as the
  // recursive definition: the right-most subtrees are the only incomplete ones.
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(hasher.nodeHash(level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}

/** MTH over raw leaf data (each hashed with the 0x00 prefix first). */
export function rootFromLeaves(leaves: readonly Uint8Array[], hasher: TreeHasher = treeHasher()): Uint8Array {
  return rootFromLeafHashes(leaves.map((l) => hasher.leafHash(l)), hasher);
}

/** Subtree ranges of PATH(m, D[n]) (RFC 9162 2.1.3.1), in proof order: bottom-most sibling first. */
export function inclusionProofRanges(index: number, size: number): LeafRange[] {
  if (!isSafeSize(index) || !isSafeSize(size) || index >= size) throw new RangeError(`index ${index} is not in a tree of size ${size}`);
  const ranges: LeafRange[] = [];
  let a = 0;
  let b = size;
  let m = index;
  while (b - a > 1) {
    const k = largestPowerOfTwoBelow(b - a);
    if (m < k) {
      ranges.push([a + k, b]);
      b = a + k;
    } else {
      ranges.push([a, a + k]);
      a += k;
      m -= k;
    }
  }
  return ranges.reverse();
}

/** Subtree ranges of PROOF(m, D[n]) = SUBPROOF(m, D[n], true) (RFC 9162 2.1.4.1), in proof order. */
export function consistencyProofRanges(first: number, second: number): LeafRange[] {
  if (!isSafeSize(first) || !isSafeSize(second) || first > second) throw new RangeError(`no consistency proof from ${first} to ${second}`);
  if (first === 0 || first === second) return [];
  const ranges: LeafRange[] = [];
  let a = 0;
  let b = second;
  let m = first;
  let complete = true;
  for (;;) {
    if (m === b - a) {
      if (!complete) ranges.push([a, b]);
      break;
    }
    const k = largestPowerOfTwoBelow(b - a);
    if (m <= k) {
      ranges.push([a + k, b]);
      b = a + k;
    } else {
      ranges.push([a, a + k]);
      a += k;
      m -= k;
      complete = false;
    }
  }
  return ranges.reverse();
}

async function hashesOf(ranges: readonly LeafRange[], source: SubtreeSource): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const [start, end] of ranges) out.push(await source.subtreeHash(start, end));
  return out;
}

/** Inclusion proof for leaf `index` in the tree of the first `size` leaves. */
export async function generateInclusionProof(index: number, size: number, source: SubtreeSource): Promise<Uint8Array[]> {
  return hashesOf(inclusionProofRanges(index, size), source);
}

/** Consistency proof between the trees of the first `first` and `second` leaves. */
export async function generateConsistencyProof(first: number, second: number, source: SubtreeSource): Promise<Uint8Array[]> {
  return hashesOf(consistencyProofRanges(first, second), source);
}

/** A SubtreeSource over an in-memory array of leaf hashes (tests, small trees). */
export function leafHashSource(leafHashes: readonly Uint8Array[], hasher: TreeHasher = treeHasher()): SubtreeSource {
  return { subtreeHash: (start, end) => rootFromLeafHashes(leafHashes.slice(start, end), hasher) };
}

const wellFormed = (hasher: TreeHasher, ...hashes: readonly Uint8Array[]) => hashes.every((h) => h.length === hasher.hashLength);

/**
 * Root implied by an inclusion proof (RFC 9162 2.1.3.2 steps 1-5 without the final comparison),
 * or null if the proof is malformed for this index and size.
 */
export function rootFromInclusionProof(index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[], hasher: TreeHasher = treeHasher()): Uint8Array | null {
  if (!isSafeSize(index) || !isSafeSize(size) || index >= size) return null;
  if (!wellFormed(hasher, leafHash, ...proof)) return null;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return null;
    if (lsb(fn) || fn === sn) {
      r = hasher.nodeHash(p, r);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = hasher.nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? r : null;
}

/** Verifies that `leafHash` is leaf `index` of the tree of `size` leaves with `root` (RFC 9162 2.1.3.2). */
export function verifyInclusion(index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array, hasher: TreeHasher = treeHasher()): boolean {
  const computed = rootFromInclusionProof(index, size, leafHash, proof, hasher);
  return computed !== null && bytesEqual(computed, root);
}

/**
 * Verifies that the tree of `second` leaves with `secondRoot` extends the tree of `first` leaves
 * with `firstRoot` (RFC 9162 2.1.4.2). Equal sizes need an empty proof and equal roots; a first
 * size of 0 is consistent with anything and needs an empty proof.
 */
export function verifyConsistency(first: number, second: number, firstRoot: Uint8Array, secondRoot: Uint8Array, proof: readonly Uint8Array[], hasher: TreeHasher = treeHasher()): boolean {
  if (!isSafeSize(first) || !isSafeSize(second) || first > second) return false;
  if (!wellFormed(hasher, firstRoot, secondRoot, ...proof)) return false;
  if (first === second) return proof.length === 0 && bytesEqual(firstRoot, secondRoot);
  if (first === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  // Step 2: when the first tree is a complete subtree, its root is the proof's implicit first node.
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : proof;
  let fn = first - 1;
  let sn = second - 1;
  while (lsb(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0) return false;
    if (lsb(fn) || fn === sn) {
      fr = hasher.nodeHash(c, fr);
      sr = hasher.nodeHash(c, sr);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = hasher.nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && bytesEqual(fr, firstRoot) && bytesEqual(sr, secondRoot);
}

/** True if n is a power of two (n >= 1), exact for every safe integer. */
export function isPowerOfTwo(n: number): boolean {
  if (!isSafeSize(n) || n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}
