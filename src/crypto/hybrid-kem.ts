/**
 * Hybrid key encapsulation: ML-KEM-1024 (FIPS 203) and X25519 (RFC 7748), combined with
 * HKDF-SHA-384 (RFC 5869) so the shared key stays secret while either component does.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha384 as nobleSha384 } from '@noble/hashes/sha2.js';
import { CryptoError } from './errors.ts';
import { randomBytes } from './random.ts';
import { sha256 } from './hash.ts';
import { concatBytes, toHex, utf8 } from './encoding.ts';

export const X25519_KEY_LENGTH = 32;
export const MLKEM1024_SEED_LENGTH = 64;
export const MLKEM1024_PUBLIC_KEY_LENGTH = 1568;
export const MLKEM1024_CIPHERTEXT_LENGTH = 1568;
export const ENCRYPTION_KEY_ID_LENGTH = 8;

export interface EncryptionPublicKey {
  readonly x25519: Uint8Array;
  readonly mlkem1024: Uint8Array;
}

/** Secrets are kept as seeds (32-byte X25519 scalar, 64-byte ML-KEM d || z); expanded keys are derived. */
export interface EncryptionKeyPair {
  readonly publicKey: EncryptionPublicKey;
  readonly seed: { readonly x25519: Uint8Array; readonly mlkem1024: Uint8Array };
  readonly secretKey: { readonly x25519: Uint8Array; readonly mlkem1024: Uint8Array };
}

export interface Encapsulation {
  readonly mlkemCiphertext: Uint8Array;
  readonly x25519Ephemeral: Uint8Array;
  /** 32-byte key-encryption key bound to both ciphertexts, the recipient and `info`. */
  readonly key: Uint8Array;
}

/** Generates an encryption key pair, from seeds when given (for tests and restores). */
export function generateEncryptionKeyPair(seed?: { x25519: Uint8Array; mlkem1024: Uint8Array }): EncryptionKeyPair {
  const xSeed = seed?.x25519 ?? randomBytes(X25519_KEY_LENGTH);
  const kSeed = seed?.mlkem1024 ?? randomBytes(MLKEM1024_SEED_LENGTH);
  if (xSeed.length !== X25519_KEY_LENGTH || kSeed.length !== MLKEM1024_SEED_LENGTH) {
    throw new CryptoError('INVALID_KEY', 'encryption key seeds must be 32 (X25519) and 64 (ML-KEM-1024) bytes');
  }
  const kem = ml_kem1024.keygen(kSeed);
  return {
    publicKey: { x25519: x25519.getPublicKey(xSeed), mlkem1024: kem.publicKey },
    seed: { x25519: Uint8Array.from(xSeed), mlkem1024: Uint8Array.from(kSeed) },
    secretKey: { x25519: Uint8Array.from(xSeed), mlkem1024: kem.secretKey },
  };
}

/** Short identifier of a recipient key: SHA-256("enclave/kem-key/v1" || X25519 || ML-KEM)[:8]. */
export function encryptionKeyId(publicKey: EncryptionPublicKey): Uint8Array {
  return sha256(concatBytes(utf8('enclave/kem-key/v1'), publicKey.x25519, publicKey.mlkem1024)).subarray(0, ENCRYPTION_KEY_ID_LENGTH);
}

/** Hex form of {@link encryptionKeyId}. */
export function encryptionKeyIdHex(publicKey: EncryptionPublicKey): string {
  return toHex(encryptionKeyId(publicKey));
}

function x25519Shared(secret: Uint8Array, publicKey: Uint8Array): Uint8Array {
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(secret, publicKey);
  } catch (err) {
    throw new CryptoError('INVALID_KEY', 'X25519 public key is invalid', { cause: err });
  }
  // RFC 7748 section 6.1: an all-zero output means a small-order public key.
  if (shared.every((b) => b === 0)) throw new CryptoError('INVALID_KEY', 'X25519 public key has small order');
  return shared;
}

/**
 * Combiner: HKDF-SHA-384(IKM = ss_mlkem || ss_x25519, salt = empty, info = label || ct_mlkem ||
 * eph_x25519 || pk_x25519 || info). Binding the X25519 ciphertext and public key follows X-Wing
 * (draft-connolly-cfrg-xwing-kem); the ML-KEM ciphertext is bound too, at little cost.
 */
function combine(ssKem: Uint8Array, ssX: Uint8Array, ct: Uint8Array, eph: Uint8Array, recipientX: Uint8Array, info: Uint8Array): Uint8Array {
  const label = utf8('enclave/hybrid-kem/mlkem1024-x25519/v1');
  return hkdf(nobleSha384, concatBytes(ssKem, ssX), undefined, concatBytes(label, ct, eph, recipientX, info), 32);
}

/** Encapsulates a fresh key to a recipient; `info` binds context (e.g. the record header). */
export function encapsulateHybrid(recipient: EncryptionPublicKey, info: Uint8Array): Encapsulation {
  if (recipient.x25519.length !== X25519_KEY_LENGTH || recipient.mlkem1024.length !== MLKEM1024_PUBLIC_KEY_LENGTH) {
    throw new CryptoError('INVALID_KEY', 'recipient public key has the wrong length');
  }
  let kem: { cipherText: Uint8Array; sharedSecret: Uint8Array };
  try {
    kem = ml_kem1024.encapsulate(recipient.mlkem1024);
  } catch (err) {
    throw new CryptoError('INVALID_KEY', 'ML-KEM-1024 public key is invalid', { cause: err });
  }
  const ephemeral = randomBytes(X25519_KEY_LENGTH);
  const x25519Ephemeral = x25519.getPublicKey(ephemeral);
  const ssX = x25519Shared(ephemeral, recipient.x25519);
  const key = combine(kem.sharedSecret, ssX, kem.cipherText, x25519Ephemeral, recipient.x25519, info);
  return { mlkemCiphertext: kem.cipherText, x25519Ephemeral, key };
}

/** Recovers the key of {@link encapsulateHybrid}; a wrong key or altered ciphertext yields a different key. */
export function decapsulateHybrid(keys: EncryptionKeyPair, mlkemCiphertext: Uint8Array, x25519Ephemeral: Uint8Array, info: Uint8Array): Uint8Array {
  if (mlkemCiphertext.length !== MLKEM1024_CIPHERTEXT_LENGTH || x25519Ephemeral.length !== X25519_KEY_LENGTH) {
    throw new CryptoError('DECRYPTION_FAILED', 'encapsulation has the wrong length');
  }
  // ML-KEM decapsulation never fails: a bad ciphertext gives an unrelated (implicit-rejection) secret.
  const ssKem = ml_kem1024.decapsulate(mlkemCiphertext, keys.secretKey.mlkem1024);
  const ssX = x25519Shared(keys.secretKey.x25519, x25519Ephemeral);
  return combine(ssKem, ssX, mlkemCiphertext, x25519Ephemeral, keys.publicKey.x25519, info);
}
