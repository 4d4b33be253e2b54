/** Public surface of the crypto part: no other part calls node:crypto or noble directly. */
export { randomBytes, randomToken, constantTimeEqual } from './random.ts';
export { sha256, sha384, sha256Hex, hash, type HashAlgorithm } from './hash.ts';
