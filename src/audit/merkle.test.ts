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

// Source: the Certificate Transparency RFC 6962 test data, as carried by transparency-dev/merkle
// (testonly/constants.go: LeafInputs, NodeHashes, RootHashes; proof/verify_test.go:
// inclusionProofs, consistencyProofs), originally from certificate-transparency's C++
// merkle_tree_test.cc. Inclusion vectors there use 1-based leaf numbers; here they are 0-based.
const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(hex);
const EMPTY_ROOT = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const LEAF_HASHES = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
  '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
  '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
  'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
  '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
  'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
  '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
];
// Level-1 node hashes (NodeHashes()[1]): hash of leaves (0,1), (2,3), (4,5), (6,7).
const LEVEL1 = [
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
  '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
  'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
];
const INCLUSION = [
  { index: 0, size: 8, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { index: 5, size: 8, proof: ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  { index: 1, size: 5, proof: ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
  { index: 0, size: 1, proof: [] },
];
const CONSISTENCY = [
  { first: 1, second: 1, proof: [] },
  { first: 1, second: 8, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { first: 6, second: 8, proof: ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
  { first: 2, second: 5, proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
  { first: 6, second: 7, proof: ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
];
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
