/**
 * The console's in-browser RFC 6962 code, run under Node's WebCrypto: the Certificate Transparency
 * test vectors, and agreement with the audit part's independent implementation on random trees.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { generateInclusionProof, leafHashSource, rootFromLeaves, treeHasher } from '../../audit/index.ts';
import { fromHex, leafHash, parseCheckpointNote, rootFromInclusionProof, RootBuilder, toHex } from './merkle.ts';

// Source: the Certificate Transparency RFC 6962 test data as carried by transparency-dev/merkle
// (testonly/constants.go LeafInputs and RootHashes; proof/verify_test.go inclusionProofs, made 0-based).
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(fromHex);
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
const INCLUSION = [
  { index: 0, size: 8, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { index: 5, size: 8, proof: ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  { index: 1, size: 5, proof: ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
  { index: 0, size: 1, proof: [] },
];

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
