/**
 * An independent check of Enclave's proofs: a second verifier written here, from the recursive
 * definitions of RFC 9162 sections 2.1.1 (MTH), 2.1.3.1 (PATH) and 2.1.4.1 (SUBPROOF), hashing
 * with node:crypto directly. It shares no code with src/audit (whose verifiers follow the
 * iterative algorithms of 2.1.3.2 and 2.1.4.2), so agreement between the two is evidence.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { generateConsistencyProof, generateInclusionProof, leafHashSource, rootFromLeaves, verifyConsistency, verifyInclusion } from './merkle.ts';
import { CompactRange } from './compact-range.ts';
import { TreeHasher } from './tree-hash.ts';

type Alg = 'sha256' | 'sha384';
const H = (alg: Alg, ...parts: Uint8Array[]) => createHash(alg).update(Buffer.concat(parts)).digest();
const ZERO = Buffer.from([0x00]);
const ONE = Buffer.from([0x01]);

/** k: the largest power of two smaller than n (RFC 9162 2.1.1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]) exactly as defined in RFC 9162 2.1.1. */
function mth(alg: Alg, d: Uint8Array[]): Buffer {
  if (d.length === 0) return H(alg);
  if (d.length === 1) return H(alg, ZERO, d[0]!);
  const k = split(d.length);
  return H(alg, ONE, mth(alg, d.slice(0, k)), mth(alg, d.slice(k)));
}

/** Root implied by PATH(m, D[n]): the last proof element is the top-level sibling. */
function rootFromPath(alg: Alg, m: number, n: number, leaf: Uint8Array, proof: Uint8Array[]): Buffer | null {
  if (n === 1) return proof.length === 0 ? Buffer.from(leaf) : null;
  if (proof.length === 0) return null;
  const sibling = proof[proof.length - 1]!;
  const rest = proof.slice(0, -1);
  const k = split(n);
  if (m < k) {
    const left = rootFromPath(alg, m, k, leaf, rest);
    return left && H(alg, ONE, left, sibling);
  }
  const right = rootFromPath(alg, m - k, n - k, leaf, rest);
  return right && H(alg, ONE, sibling, right);
}

function independentInclusion(alg: Alg, m: number, n: number, leaf: Uint8Array, proof: Uint8Array[], root: Uint8Array): boolean {
  if (m < 0 || m >= n) return false;
  const r = rootFromPath(alg, m, n, leaf, proof);
  return r !== null && r.equals(root);
}

/** Old and new subtree roots implied by SUBPROOF(m, D[n], b). */
function fromSubproof(alg: Alg, m: number, n: number, b: boolean, proof: Uint8Array[], firstRoot: Uint8Array): { old: Buffer; new: Buffer } | null {
  if (m === n) {
    if (b) return proof.length === 0 ? { old: Buffer.from(firstRoot), new: Buffer.from(firstRoot) } : null;
    return proof.length === 1 ? { old: Buffer.from(proof[0]!), new: Buffer.from(proof[0]!) } : null;
  }
  if (proof.length === 0) return null;
  const last = proof[proof.length - 1]!;
  const rest = proof.slice(0, -1);
  const k = split(n);
  if (m <= k) {
    const sub = fromSubproof(alg, m, k, b, rest, firstRoot);
    return sub && { old: sub.old, new: H(alg, ONE, sub.new, last) };
  }
  const sub = fromSubproof(alg, m - k, n - k, false, rest, firstRoot);
  return sub && { old: H(alg, ONE, last, sub.old), new: H(alg, ONE, last, sub.new) };
}

function independentConsistency(alg: Alg, m: number, n: number, proof: Uint8Array[], r1: Uint8Array, r2: Uint8Array): boolean {
  if (m <= 0 || m >= n) return false;
  const roots = fromSubproof(alg, m, n, true, proof, r1);
  return roots !== null && roots.old.equals(r1) && roots.new.equals(r2);
}

const leavesArb = fc.array(fc.uint8Array({ maxLength: 24 }), { minLength: 1, maxLength: 140 });

for (const alg of ['sha256', 'sha384'] as const) {
  const hasher = new TreeHasher(alg);
  describe(`independent RFC 9162 verifier (${alg})`, () => {
    it('agrees with Enclave on the root of random trees, recursive and streaming', () => {
      fc.assert(
        fc.property(leavesArb, (leaves) => {
          const expected = mth(alg, leaves);
          assert.ok(expected.equals(rootFromLeaves(leaves, hasher)));
          const range = new CompactRange(hasher);
          for (const l of leaves) range.append(hasher.leafHash(l));
          assert.ok(expected.equals(range.root()));
        }),
        { numRuns: 60 },
      );
    });

    it('accepts every inclusion proof Enclave generates, and so does Enclave', async () => {
      await fc.assert(
        fc.asyncProperty(leavesArb, fc.nat(), async (leaves, pick) => {
          const n = leaves.length;
          const m = pick % n;
          const hashes = leaves.map((l) => hasher.leafHash(l));
          const proof = await generateInclusionProof(m, n, leafHashSource(hashes, hasher));
          const root = mth(alg, leaves);
          assert.ok(independentInclusion(alg, m, n, hashes[m]!, proof, root));
          assert.ok(verifyInclusion(m, n, hashes[m]!, proof, root, hasher));
        }),
        { numRuns: 80 },
      );
    });

    it('accepts every consistency proof Enclave generates between random sizes', async () => {
      await fc.assert(
        fc.asyncProperty(leavesArb, fc.nat(), async (leaves, pick) => {
          const n = leaves.length;
          fc.pre(n >= 2);
          const m = 1 + (pick % (n - 1));
          const hashes = leaves.map((l) => hasher.leafHash(l));
          const proof = await generateConsistencyProof(m, n, leafHashSource(hashes, hasher));
          const r1 = mth(alg, leaves.slice(0, m));
          const r2 = mth(alg, leaves);
          assert.ok(independentConsistency(alg, m, n, proof, r1, r2));
          assert.ok(verifyConsistency(m, n, r1, r2, proof, hasher));
        }),
        { numRuns: 80 },
      );
    });

    it('rejects a modified inclusion proof in both verifiers', async () => {
      await fc.assert(
        fc.asyncProperty(leavesArb, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 7 }), fc.constantFrom('flip', 'drop', 'extra'), async (leaves, pick, at, bit, how) => {
          const n = leaves.length;
          fc.pre(n >= 2);
          const m = pick % n;
          const hashes = leaves.map((l) => hasher.leafHash(l));
          const proof = await generateInclusionProof(m, n, leafHashSource(hashes, hasher));
          const bad: Uint8Array[] = proof.map((p) => Uint8Array.from(p));
          if (how === 'flip') bad[at % bad.length]![at % hasher.hashLength]! ^= 1 << bit;
          else if (how === 'drop') bad.splice(at % bad.length, 1);
          else bad.splice(at % (bad.length + 1), 0, hashes[at % n]!);
          const root = mth(alg, leaves);
          assert.equal(verifyInclusion(m, n, hashes[m]!, bad, root, hasher), false);
          assert.equal(independentInclusion(alg, m, n, hashes[m]!, bad, root), false);
        }),
        { numRuns: 80 },
      );
    });

    it('rejects a modified consistency proof in both verifiers', async () => {
      await fc.assert(
        fc.asyncProperty(leavesArb, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 7 }), async (leaves, pick, at, bit) => {
          const n = leaves.length;
          fc.pre(n >= 3);
          const m = 1 + (pick % (n - 1));
          const hashes = leaves.map((l) => hasher.leafHash(l));
          const proof = await generateConsistencyProof(m, n, leafHashSource(hashes, hasher));
          fc.pre(proof.length > 0);
          const bad = proof.map((p) => Uint8Array.from(p));
          bad[at % bad.length]![at % hasher.hashLength]! ^= 1 << bit;
          const r1 = mth(alg, leaves.slice(0, m));
          const r2 = mth(alg, leaves);
          assert.equal(verifyConsistency(m, n, r1, r2, bad, hasher), false);
          assert.equal(independentConsistency(alg, m, n, bad, r1, r2), false);
        }),
        { numRuns: 80 },
      );
    });
  });
}
