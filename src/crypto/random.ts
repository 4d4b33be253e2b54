/** Randomness and constant-time comparison: the only source of secrets for the rest of Enclave. */
import { randomBytes as nodeRandomBytes, timingSafeEqual } from 'node:crypto';

/** Cryptographically secure random bytes. */
export function randomBytes(length: number): Uint8Array {
  return new Uint8Array(nodeRandomBytes(length));
}

/** A random token as base64url (no padding), `bytes` of entropy. */
export function randomToken(bytes = 32): string {
  return Buffer.from(randomBytes(bytes)).toString('base64url');
}

/**
 * Compares two byte strings without leaking, through timing, where they first differ.
 * Lengths are compared first: the length of a hash is not a secret.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}
