/** Hash functions (FIPS 180-4) over @noble/hashes. */
import { sha256 as nobleSha256, sha384 as nobleSha384 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

export type HashAlgorithm = 'sha256' | 'sha384';

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? utf8ToBytes(data) : data;
}

/** SHA-256 digest of bytes or UTF-8 text. */
export function sha256(data: Uint8Array | string): Uint8Array {
  return nobleSha256(toBytes(data));
}

/** SHA-384 digest of bytes or UTF-8 text (CNSA 2.0 deployments). */
export function sha384(data: Uint8Array | string): Uint8Array {
  return nobleSha384(toBytes(data));
}

/** Digest with a named algorithm. */
export function hash(algorithm: HashAlgorithm, data: Uint8Array | string): Uint8Array {
  return algorithm === 'sha384' ? sha384(data) : sha256(data);
}

/** Lower-case hex SHA-256 of bytes or UTF-8 text. */
export function sha256Hex(data: Uint8Array | string): string {
  return bytesToHex(sha256(data));
}
