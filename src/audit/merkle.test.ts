/** Merkle hashing and proofs against the RFC 6962 / Certificate Transparency test vectors. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  consistencyProofRanges,
  generateConsistencyProof,
  generateInclusionProof,
  inclusionProofRanges,
  leafHashSource,
  rootFromLeaves,
  verifyConsistency,
  verifyInclusion,
} from './merkle.ts';
import { CompactRange } from './compact-range.ts';
import { leafHash, nodeHash, RFC6962_LEAF_PREFIX, RFC6962_NODE_PREFIX, treeHasher } from './tree-hash.ts';

import { CONSISTENCY, EMPTY_ROOT, INCLUSION, LEAF_HASHES, LEAVES as LEAF_INPUTS, LEVEL1, ROOTS } from '../../test/support/ct-vectors.ts';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const LEAVES = LEAF_INPUTS.map(hex);
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const leafHashes = LEAVES.map((l) => leafHash(l));
const source = leafHashSource(leafHashes);

describe('RFC 6962 hashing', () => {
  it('uses the prefixes named in RFC 6962 section 2.1', () => {
    assert.equal(RFC6962_LEAF_PREFIX, 0x00);
    assert.equal(RFC6962_NODE_PREFIX, 0x01);
  });

  it('hashes the vector leaves to the published leaf hashes', () => {
    assert.deepEqual(leafHashes.map(toHex), LEAF_HASHES);
  });

  it('hashes leaf pairs to the published level-1 node hashes', () => {
    for (let i = 0; i < 4; i++) assert.equal(toHex(nodeHash(leafHashes[2 * i]!, leafHashes[2 * i + 1]!)), LEVEL1[i]);
  });

  it('computes the published root of every prefix of the vector leaves', () => {
    assert.equal(toHex(rootFromLeaves([])), EMPTY_ROOT);
    for (let n = 1; n <= 8; n++) assert.equal(toHex(rootFromLeaves(LEAVES.slice(0, n))), ROOTS[n - 1], `size ${n}`);
  });

  it('gives the same roots through the compact range', () => {
    const range = new CompactRange();
    assert.equal(toHex(range.root()), EMPTY_ROOT);
    leafHashes.forEach((h, i) => {
      range.append(h);
      assert.equal(toHex(range.root()), ROOTS[i]);
    });
  });

  it('resumes a compact range from its frontier', () => {
    const range = new CompactRange();
    leafHashes.slice(0, 5).forEach((h) => range.append(h));
    const resumed = new CompactRange(treeHasher(), 5, range.frontier());
    leafHashes.slice(5).forEach((h) => resumed.append(h));
    assert.equal(toHex(resumed.root()), ROOTS[7]);
  });

  it('rejects a frontier that does not fit the size', () => {
    assert.throws(() => new CompactRange(treeHasher(), 5, [leafHashes[0]!]), RangeError);
  });
});

describe('inclusion proofs', () => {
  for (const v of INCLUSION) {
    it(`generates and verifies the published proof for leaf ${v.index} of ${v.size}`, async () => {
      const proof = await generateInclusionProof(v.index, v.size, source);
      assert.deepEqual(proof.map(toHex), v.proof);
      assert.ok(verifyInclusion(v.index, v.size, leafHashes[v.index]!, proof, hex(ROOTS[v.size - 1]!)));
    });
  }

  describe('when the proof or its claims are altered', () => {
    const v = INCLUSION[1]!;
    const proof = v.proof.map(hex);
    const root = hex(ROOTS[7]!);
    const leaf = leafHashes[v.index]!;
    it('rejects a wrong index, size, leaf or root', () => {
      assert.equal(verifyInclusion(v.index - 1, v.size, leaf, proof, root), false);
      assert.equal(verifyInclusion(v.index + 1, v.size, leaf, proof, root), false);
      assert.equal(verifyInclusion(v.index, v.size * 2, leaf, proof, root), false);
      assert.equal(verifyInclusion(v.index, v.size / 2, leaf, proof, root), false);
      assert.equal(verifyInclusion(v.index, v.size, leafHashes[0]!, proof, root), false);
      assert.equal(verifyInclusion(v.index, v.size, leaf, proof, hex(EMPTY_ROOT)), false);
    });
    it('rejects extra, missing and flipped proof elements', () => {
      assert.equal(verifyInclusion(v.index, v.size, leaf, [...proof, root], root), false);
      assert.equal(verifyInclusion(v.index, v.size, leaf, [root, ...proof], root), false);
      assert.equal(verifyInclusion(v.index, v.size, leaf, proof.slice(0, -1), root), false);
      assert.equal(verifyInclusion(v.index, v.size, leaf, [...proof, new Uint8Array(0)], root), false);
      for (let i = 0; i < proof.length; i++) {
        const bad = proof.map((p) => Uint8Array.from(p));
        bad[i]![0]! ^= 8;
        assert.equal(verifyInclusion(v.index, v.size, leaf, bad, root), false, `flipped element ${i}`);
      }
    });
    it('rejects an index outside the tree and unsafe sizes', () => {
      assert.equal(verifyInclusion(8, 8, leaf, proof, root), false);
      assert.equal(verifyInclusion(0, 0, leaf, [], root), false);
      assert.equal(verifyInclusion(0, 2 ** 64, leaf, proof, root), false);
      assert.equal(verifyInclusion(-1, 8, leaf, proof, root), false);
    });
  });
});

describe('consistency proofs', () => {
  for (const v of CONSISTENCY) {
    it(`generates and verifies the published proof from ${v.first} to ${v.second}`, async () => {
      const proof = await generateConsistencyProof(v.first, v.second, source);
      assert.deepEqual(proof.map(toHex), v.proof);
      assert.ok(verifyConsistency(v.first, v.second, hex(ROOTS[v.first - 1]!), hex(ROOTS[v.second - 1]!), proof));
    });
  }

  it('treats sizes 0 and equal sizes as RFC 9162 does', () => {
    const r1 = hex(ROOTS[0]!);
    assert.ok(verifyConsistency(0, 5, hex(EMPTY_ROOT), hex(ROOTS[4]!), []));
    assert.equal(verifyConsistency(0, 5, hex(EMPTY_ROOT), hex(ROOTS[4]!), [r1]), false);
    assert.ok(verifyConsistency(3, 3, hex(ROOTS[2]!), hex(ROOTS[2]!), []));
    assert.equal(verifyConsistency(3, 3, hex(ROOTS[2]!), hex(ROOTS[3]!), []), false);
    assert.equal(verifyConsistency(5, 3, hex(ROOTS[4]!), hex(ROOTS[2]!), []), false);
    assert.equal(verifyConsistency(1, 2, r1, hex(ROOTS[1]!), []), false);
  });

  describe('when the proof or its claims are altered', () => {
    const v = CONSISTENCY[2]!;
    const proof = v.proof.map(hex);
    const r1 = hex(ROOTS[v.first - 1]!);
    const r2 = hex(ROOTS[v.second - 1]!);
    it('rejects wrong sizes, swapped roots and edited proofs', () => {
      assert.equal(verifyConsistency(v.first - 1, v.second, r1, r2, proof), false);
      assert.equal(verifyConsistency(v.first + 1, v.second, r1, r2, proof), false);
      assert.equal(verifyConsistency(v.first, v.second * 2, r1, r2, proof), false);
      assert.equal(verifyConsistency(v.first, v.second, r2, r1, proof), false);
      assert.equal(verifyConsistency(v.first, v.second, r1, r2, proof.slice(0, -1)), false);
      assert.equal(verifyConsistency(v.first, v.second, r1, r2, [...proof, r1]), false);
      assert.equal(verifyConsistency(v.first, v.second, r1, r2, [proof[0]!, ...proof]), false);
      for (let i = 0; i < proof.length; i++) {
        const bad = proof.map((p) => Uint8Array.from(p));
        bad[i]![0]! ^= 16;
        assert.equal(verifyConsistency(v.first, v.second, r1, r2, bad), false, `flipped element ${i}`);
      }
    });
  });

  it('lists subtree ranges the way RFC 9162 2.1.4.1 defines them', () => {
    assert.deepEqual(consistencyProofRanges(6, 8), [[4, 6], [6, 8], [0, 4]]);
    assert.deepEqual(inclusionProofRanges(5, 8), [[4, 5], [6, 8], [0, 4]]);
  });
});
