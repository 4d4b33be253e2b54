/**
 * The console's in-browser RFC 6962 code, run under Node's WebCrypto: the Certificate Transparency
 * test vectors, and agreement with the audit part's independent implementation on random trees.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { generateConsistencyProof, generateInclusionProof, leafHashSource, rootFromLeaves, treeHasher } from '../../audit/index.ts';
import { fromHex, leafHash, parseCheckpointNote, rootFromInclusionProof, RootBuilder, toHex, verifyConsistency } from './merkle.ts';
import { CONSISTENCY, INCLUSION, LEAVES as LEAF_INPUTS, ROOTS } from '../../../test/support/ct-vectors.ts';

// RFC 6962 / Certificate Transparency vectors (source noted in the fixture).
const LEAVES = LEAF_INPUTS.map(fromHex);

describe('browser merkle', () => {
  describe('with the RFC 6962 test vectors', () => {
    it('builds every root of the first 1..8 leaves', async () => {
      for (let n = 1; n <= 8; n++) {
        const b = new RootBuilder('SHA-256');
        for (const l of LEAVES.slice(0, n)) await b.add(l);
        assert.equal(toHex(await b.root()), ROOTS[n - 1], `size ${n}`);
      }
      assert.equal(toHex(await new RootBuilder('SHA-256').root()), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    });

    it('recomputes the root from each inclusion proof', async () => {
      for (const v of INCLUSION) {
        const root = await rootFromInclusionProof('SHA-256', v.index, v.size, await leafHash('SHA-256', LEAVES[v.index]!), v.proof.map(fromHex));
        assert.equal(root && toHex(root), ROOTS[v.size - 1], `leaf ${v.index} of ${v.size}`);
      }
    });

    it('rejects a proof that is too long, too short, or for a leaf outside the tree', async () => {
      const v = INCLUSION[0]!;
      const leaf = await leafHash('SHA-256', LEAVES[0]!);
      const proof = v.proof.map(fromHex);
      assert.equal(await rootFromInclusionProof('SHA-256', 0, 8, leaf, proof.slice(0, 2)), undefined);
      assert.equal(await rootFromInclusionProof('SHA-256', 0, 8, leaf, [...proof, proof[0]!]), undefined);
      assert.equal(await rootFromInclusionProof('SHA-256', 8, 8, leaf, proof), undefined);
      assert.equal(await rootFromInclusionProof('SHA-256', -1, 8, leaf, proof), undefined);
    });
  });

  describe('consistency proofs', () => {
    it('verifies each RFC 6962 consistency vector, and refuses it for other sizes or roots', async () => {
      for (const v of CONSISTENCY) {
        const proof = v.proof.map(fromHex);
        const first = fromHex(ROOTS[v.first - 1]!);
        const second = fromHex(ROOTS[v.second - 1]!);
        assert.ok(await verifyConsistency('SHA-256', v.first, v.second, first, second, proof), `${v.first} -> ${v.second}`);
        if (v.first !== v.second) {
          assert.equal(await verifyConsistency('SHA-256', v.first, v.second, second, second, proof), false, 'another first root');
          assert.equal(await verifyConsistency('SHA-256', v.first, v.second, first, first, proof), false, 'another second root');
          assert.equal(await verifyConsistency('SHA-256', v.first, v.second, first, second, proof.slice(1)), false, 'a shortened proof');
        }
      }
      assert.equal(await verifyConsistency('SHA-256', 3, 2, fromHex(ROOTS[2]!), fromHex(ROOTS[1]!), []), false, 'a shrinking log');
    });

    it('agrees with the audit part on random pairs of sizes', async () => {
      const hasher = treeHasher();
      await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 70 }), fc.nat(), fc.nat(), async (n, a, b) => {
        const leaves = Array.from({ length: n }, (_, i) => hasher.leafHash(Uint8Array.of(i, n)));
        const second = 1 + (a % n);
        const first = 1 + (b % second);
        const proof = await generateConsistencyProof(first, second, leafHashSource(leaves, hasher));
        const r1 = rootFromLeaves(leaves.slice(0, first).map((_, i) => Uint8Array.of(i, n)), hasher);
        const r2 = rootFromLeaves(leaves.slice(0, second).map((_, i) => Uint8Array.of(i, n)), hasher);
        assert.ok(await verifyConsistency('SHA-256', first, second, r1, r2, proof));
        if (first < second) {
          const forked = rootFromLeaves([...leaves.slice(0, first - 1).map((_, i) => Uint8Array.of(i, n)), Uint8Array.of(255, n)], hasher);
          assert.equal(await verifyConsistency('SHA-256', first, second, forked, r2, proof), false);
        }
      }), { numRuns: 150 });
    });
  });

  it('agrees with the audit part on random trees, and a changed entry never verifies', async () => {
    const hasher = treeHasher();
    await fc.assert(fc.asyncProperty(
      fc.array(fc.uint8Array({ maxLength: 24 }), { minLength: 1, maxLength: 70 }), fc.nat(), fc.nat(255),
      async (leaves, pick, flip) => {
        const index = pick % leaves.length;
        const expected = rootFromLeaves(leaves, hasher);
        const b = new RootBuilder('SHA-256');
        for (const l of leaves) await b.add(l);
        assert.equal(toHex(await b.root()), toHex(expected));
        const proof = await generateInclusionProof(index, leaves.length, leafHashSource(leaves.map((l) => hasher.leafHash(l)), hasher));
        const root = await rootFromInclusionProof('SHA-256', index, leaves.length, await leafHash('SHA-256', leaves[index]!), proof);
        assert.equal(root && toHex(root), toHex(expected));
        const changed = Uint8Array.from([...leaves[index]!, flip]);
        const other = await rootFromInclusionProof('SHA-256', index, leaves.length, await leafHash('SHA-256', changed), proof);
        assert.notEqual(other && toHex(other), toHex(expected));
      }), { numRuns: 150 });
  });

  it('parses a checkpoint note body and refuses a malformed one', () => {
    const note = 'enclave.test/log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n\u2014 enclave.test/log AAAA\n';
    const cp = parseCheckpointNote(note);
    assert.equal(cp?.origin, 'enclave.test/log');
    assert.equal(cp?.size, 8);
    assert.equal(toHex(cp!.root), ROOTS[7]);
    assert.equal(parseCheckpointNote('origin\n08\nAAAA\n\n'), undefined);
    assert.equal(parseCheckpointNote('origin only'), undefined);
    assert.equal(parseCheckpointNote('origin\n8\nAAAA\n\n'), undefined, 'a root of 3 bytes');
  });
});
