/**
 * Hybrid signatures: Ed25519 (RFC 8032) and ML-DSA-87 (FIPS 204). A hybrid signature verifies only
 * if both components verify, so it stands while either algorithm does.
 */
import { createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { CryptoError } from './errors.ts';
import { randomBytes } from './random.ts';
import { toHex, utf8 } from './encoding.ts';

export const ED25519_PUBLIC_KEY_LENGTH = 32;
export const ED25519_SEED_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;
export const MLDSA87_SEED_LENGTH = 32;
export const MLDSA87_PUBLIC_KEY_LENGTH = 2592;
export const MLDSA87_SIGNATURE_LENGTH = 4627;

/** A key pair generated from a stored seed; the seed is what is kept at rest. */
export interface SigningKeyPair {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

export interface HybridSigningKeys {
  readonly ed25519: SigningKeyPair;
  readonly mldsa87: SigningKeyPair;
}

export interface HybridPublicKey {
  readonly ed25519: Uint8Array;
  readonly mldsa87: Uint8Array;
}

export interface HybridSignature {
  readonly ed25519: Uint8Array;
  readonly mldsa87: Uint8Array;
}

function checkSeed(seed: Uint8Array, length: number, what: string): void {
  if (seed.length !== length) throw new CryptoError('INVALID_KEY', `${what} seed must be ${length} bytes`);
}

/** Ed25519 key pair from a 32-byte seed (RFC 8032 "private key"), random when omitted. */
export function generateEd25519KeyPair(seed: Uint8Array = randomBytes(ED25519_SEED_LENGTH)): SigningKeyPair {
  checkSeed(seed, ED25519_SEED_LENGTH, 'Ed25519');
  return { seed: Uint8Array.from(seed), secretKey: Uint8Array.from(seed), publicKey: ed25519.getPublicKey(seed) };
}

/** ML-DSA-87 key pair from a 32-byte seed (FIPS 204 xi), random when omitted. */
export function generateMlDsa87KeyPair(seed: Uint8Array = randomBytes(MLDSA87_SEED_LENGTH)): SigningKeyPair {
  checkSeed(seed, MLDSA87_SEED_LENGTH, 'ML-DSA-87');
  const { publicKey, secretKey } = ml_dsa87.keygen(seed);
  return { seed: Uint8Array.from(seed), publicKey, secretKey };
}

/** Both key pairs of a hybrid signer. */
export function generateHybridSigningKeys(): HybridSigningKeys {
  return { ed25519: generateEd25519KeyPair(), mldsa87: generateMlDsa87KeyPair() };
}

/** Ed25519 signature over the message as is (pure Ed25519, no prehash, no context). */
export function signEd25519(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  return ed25519.sign(message, secretKey);
}

// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the raw key follows.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const keyObjects = new Map<string, KeyObject>();
const KEY_OBJECT_CACHE_LIMIT = 64;

function ed25519KeyObject(publicKey: Uint8Array): KeyObject {
  const id = toHex(publicKey);
  let key = keyObjects.get(id);
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
    if (keyObjects.size >= KEY_OBJECT_CACHE_LIMIT) keyObjects.clear();
    keyObjects.set(id, key);
  }
  return key;
}

/**
 * Verifies an Ed25519 signature. Verification runs natively (node:crypto, about 13x faster than
 * JS), because checking every checkpoint of a long log is the verifier's hot path; signing stays
 * on @noble/curves. Returns false, never throws, on malformed keys or signatures.
 */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== ED25519_PUBLIC_KEY_LENGTH || signature.length !== ED25519_SIGNATURE_LENGTH) return false;
  try {
    return nodeVerify(null, message, ed25519KeyObject(publicKey), signature);
  } catch {
    return false;
  }
}

function contextBytes(context: string): Uint8Array {
  const bytes = utf8(context);
  if (bytes.length > 255) throw new CryptoError('INVALID_KEY', 'ML-DSA context is limited to 255 bytes (FIPS 204)');
  return bytes;
}

/** ML-DSA-87 (hedged) signature with a FIPS 204 context string for domain separation. */
export function signMlDsa87(secretKey: Uint8Array, message: Uint8Array, context = ''): Uint8Array {
  return ml_dsa87.sign(message, secretKey, { context: contextBytes(context) });
}

/** Verifies an ML-DSA-87 signature; false, never an exception, on malformed input. */
export function verifyMlDsa87(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, context = ''): boolean {
  if (publicKey.length !== MLDSA87_PUBLIC_KEY_LENGTH || signature.length !== MLDSA87_SIGNATURE_LENGTH) return false;
  try {
    return ml_dsa87.verify(signature, message, publicKey, { context: contextBytes(context) });
  } catch {
    return false;
  }
}

/** Signs with both algorithms; `context` domain-separates the ML-DSA half. */
export function signHybrid(keys: HybridSigningKeys, message: Uint8Array, context = ''): HybridSignature {
  return { ed25519: signEd25519(keys.ed25519.secretKey, message), mldsa87: signMlDsa87(keys.mldsa87.secretKey, message, context) };
}

/** True only if both the Ed25519 and the ML-DSA-87 signature verify. */
export function verifyHybrid(publicKey: HybridPublicKey, message: Uint8Array, signature: HybridSignature, context = ''): boolean {
  return verifyEd25519(publicKey.ed25519, message, signature.ed25519) && verifyMlDsa87(publicKey.mldsa87, message, signature.mldsa87, context);
}
