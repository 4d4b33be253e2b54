/** Hash functions (FIPS 180-4): native one-shot digests, the hot path of Merkle hashing. */
import { hash as nodeHash } from 'node:crypto';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

export type HashAlgorithm = 'sha256' | 'sha384';

/** Digest length in bytes of each supported algorithm. */
export const HASH_LENGTHS: Readonly<Record<HashAlgorithm, number>> = { sha256: 32, sha384: 48 };

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? utf8ToBytes(data) : data;
}

/**
 * Digest with a named algorithm. Uses Node's one-shot `crypto.hash` (about 3x faster than a
 * JS implementation for the short inputs of a Merkle tree) and returns a plain Uint8Array view.
 */
export function hash(algorithm: HashAlgorithm, data: Uint8Array | string): Uint8Array {
  const out = nodeHash(algorithm, toBytes(data), 'buffer');
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** SHA-256 digest of bytes or UTF-8 text. */
export function sha256(data: Uint8Array | string): Uint8Array {
  return hash('sha256', data);
}

/** SHA-384 digest of bytes or UTF-8 text (CNSA 2.0 deployments). */
export function sha384(data: Uint8Array | string): Uint8Array {
  return hash('sha384', data);
}

/** Lower-case hex SHA-256 of bytes or UTF-8 text. */
export function sha256Hex(data: Uint8Array | string): string {
  return bytesToHex(sha256(data));
}

/** `<algorithm>:<hex>` digest string, the form audit entries record for prompts and answers. */
export function digestString(algorithm: HashAlgorithm, data: Uint8Array | string): string {
  return `${algorithm}:${bytesToHex(hash(algorithm, data))}`;
}
