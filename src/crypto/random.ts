/** Randomness and constant-time comparison: the only source of secrets for the rest of Enclave. */
import { randomBytes as nodeRandomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

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

/**
 * A random identifier for requests and records: 96 bits from randomUUID, whose entropy is
 * drawn from a cached pool (a per-call getRandomValues is ten times slower on the hot path).
 */
export function randomId(prefix: string): string {
  const u = randomUUID();
  return `${prefix}${u.slice(0, 8)}${u.slice(9, 13)}${u.slice(15, 18)}${u.slice(20, 23)}${u.slice(24, 36)}`;
}
