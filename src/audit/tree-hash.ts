/** RFC 6962 / RFC 9162 section 2.1 hashing: domain-separated leaf and interior-node hashes. */
import { hash, HASH_LENGTHS, type HashAlgorithm } from '../crypto/index.ts';

/** Prefix of a leaf hash input: MTH({d(0)}) = HASH(0x00 || d(0)) (RFC 9162 2.1.1). */
export const RFC6962_LEAF_PREFIX = 0x00;
/** Prefix of an interior node hash input: HASH(0x01 || left || right) (RFC 9162 2.1.1). */
export const RFC6962_NODE_PREFIX = 0x01;

/**
 * Hashes leaves and nodes with one algorithm (SHA-256 by default; SHA-384 for CNSA 2.0).
 * Reuses scratch buffers, so hashing a million leaves does not allocate a million inputs.
 */
export class TreeHasher {
  readonly hashLength: number;
  private readonly nodeScratch: Uint8Array;
  private leafScratch = new Uint8Array(1024);

  constructor(readonly algorithm: HashAlgorithm = 'sha256') {
    this.hashLength = HASH_LENGTHS[algorithm];
    this.nodeScratch = new Uint8Array(1 + 2 * this.hashLength);
    this.nodeScratch[0] = RFC6962_NODE_PREFIX;
  }

  /** MTH({}) = HASH() : the root of the empty tree. */
  emptyRoot(): Uint8Array {
    return hash(this.algorithm, new Uint8Array(0));
  }

  /** HASH(0x00 || data). */
  leafHash(data: Uint8Array): Uint8Array {
    if (data.length + 1 > this.leafScratch.length) this.leafScratch = new Uint8Array(2 * (data.length + 1));
    const scratch = this.leafScratch;
    scratch[0] = RFC6962_LEAF_PREFIX;
    scratch.set(data, 1);
    return hash(this.algorithm, scratch.subarray(0, data.length + 1));
  }

  /** HASH(0x01 || left || right). */
  nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
    const n = this.hashLength;
    if (left.length !== n || right.length !== n) throw new RangeError(`node children must be ${n}-byte hashes`);
    this.nodeScratch.set(left, 1);
    this.nodeScratch.set(right, 1 + n);
    return hash(this.algorithm, this.nodeScratch);
  }
}

const hashers = new Map<HashAlgorithm, TreeHasher>();

/** A shared hasher per algorithm (hashers are not re-entrant, but JS runs one call at a time). */
export function treeHasher(algorithm: HashAlgorithm = 'sha256'): TreeHasher {
  let h = hashers.get(algorithm);
  if (!h) hashers.set(algorithm, (h = new TreeHasher(algorithm)));
  return h;
}

/** RFC 6962 leaf hash of `data`. */
export function leafHash(data: Uint8Array, algorithm: HashAlgorithm = 'sha256'): Uint8Array {
  return treeHasher(algorithm).leafHash(data);
}

/** RFC 6962 interior node hash. */
export function nodeHash(left: Uint8Array, right: Uint8Array, algorithm: HashAlgorithm = 'sha256'): Uint8Array {
  return treeHasher(algorithm).nodeHash(left, right);
}
