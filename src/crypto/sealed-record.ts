/**
 * Content at rest: each record is encrypted under its own random data-encryption key (DEK) with
 * AES-256-GCM, and the DEK is wrapped for the recipient through the hybrid KEM. The record's id
 * and label go in as associated data, so a sealed record cannot be replayed under another id.
 *
 * Layout (all lengths fixed except the last field):
 *   0     4     magic "ESR1"
 *   4     1     suite 0x01 = ML-KEM-1024 + X25519, HKDF-SHA-384, AES-256-GCM
 *   5     8     recipient key id
 *   13    1568  ML-KEM-1024 ciphertext
 *   1581  32    X25519 ephemeral public key
 *   1613  12    wrap nonce
 *   1625  48    wrapped DEK (32 + 16-byte tag)
 *   1673  12    content nonce
 *   1685  n+16  content ciphertext || tag
 */
import { CryptoError } from './errors.ts';
import { randomBytes } from './random.ts';
import { bytesEqual, concatBytes, toHex, utf8 } from './encoding.ts';
import { decryptAes256Gcm, encryptAes256Gcm, GCM_NONCE_LENGTH, GCM_TAG_LENGTH } from './aead.ts';
import {
  decapsulateHybrid,
  encapsulateHybrid,
  encryptionKeyId,
  ENCRYPTION_KEY_ID_LENGTH,
  MLKEM1024_CIPHERTEXT_LENGTH,
  X25519_KEY_LENGTH,
  type EncryptionKeyPair,
  type EncryptionPublicKey,
} from './hybrid-kem.ts';

const MAGIC = utf8('ESR1');
const SUITE_MLKEM1024_X25519_AES256GCM = 0x01;
const KEY_ID_AT = 5;
const KEM_AT = KEY_ID_AT + ENCRYPTION_KEY_ID_LENGTH;
const EPH_AT = KEM_AT + MLKEM1024_CIPHERTEXT_LENGTH;
const WRAP_NONCE_AT = EPH_AT + X25519_KEY_LENGTH;
const WRAPPED_AT = WRAP_NONCE_AT + GCM_NONCE_LENGTH;
const NONCE_AT = WRAPPED_AT + 32 + GCM_TAG_LENGTH;
const CONTENT_AT = NONCE_AT + GCM_NONCE_LENGTH;
/** Bytes a sealed record adds to its plaintext. */
export const SEALED_RECORD_OVERHEAD = CONTENT_AT + GCM_TAG_LENGTH;

export interface SealRecordInput {
  readonly recipientPublicKey: EncryptionPublicKey;
  readonly plaintext: Uint8Array;
  /** Associated data, e.g. the canonical JSON of the record's id and label; needed again to open. */
  readonly aad: Uint8Array;
}

export interface OpenRecordInput {
  /** The recipient's key pair, or a key ring's pairs (current and retired): the key id picks one. */
  readonly recipientKeys: EncryptionKeyPair | readonly EncryptionKeyPair[];
  readonly sealed: Uint8Array;
  readonly aad: Uint8Array;
}

function header(keyId: Uint8Array, ct: Uint8Array, eph: Uint8Array): Uint8Array {
  return concatBytes(MAGIC, Uint8Array.of(SUITE_MLKEM1024_X25519_AES256GCM), keyId, ct, eph);
}

function wrapDek(recipient: EncryptionPublicKey, dek: Uint8Array, aad: Uint8Array): Uint8Array {
  const keyId = encryptionKeyId(recipient);
  // The KEM info binds the fixed header prefix: magic, suite and key id.
  const enc = encapsulateHybrid(recipient, concatBytes(MAGIC, Uint8Array.of(SUITE_MLKEM1024_X25519_AES256GCM), keyId));
  const head = header(keyId, enc.mlkemCiphertext, enc.x25519Ephemeral);
  const wrapNonce = randomBytes(GCM_NONCE_LENGTH);
  const wrapped = encryptAes256Gcm(enc.key, wrapNonce, dek, concatBytes(head, aad));
  return concatBytes(head, wrapNonce, wrapped);
}

function contentAad(aad: Uint8Array): Uint8Array {
  return concatBytes(MAGIC, Uint8Array.of(SUITE_MLKEM1024_X25519_AES256GCM), aad);
}

/** Encrypts a record for a recipient: hybrid KEM, HKDF-SHA-384, AES-256-GCM, fresh DEK. */
export function sealRecord(input: SealRecordInput): Uint8Array {
  const dek = randomBytes(32);
  const nonce = randomBytes(GCM_NONCE_LENGTH);
  const wrappedPart = wrapDek(input.recipientPublicKey, dek, input.aad);
  const content = encryptAes256Gcm(dek, nonce, input.plaintext, contentAad(input.aad));
  dek.fill(0);
  return concatBytes(wrappedPart, nonce, content);
}

function checkLayout(sealed: Uint8Array): void {
  if (sealed.length < SEALED_RECORD_OVERHEAD || !bytesEqual(sealed.subarray(0, 4), MAGIC)) {
    throw new CryptoError('MALFORMED_ENVELOPE', 'not a sealed record');
  }
  if (sealed[4] !== SUITE_MLKEM1024_X25519_AES256GCM) throw new CryptoError('MALFORMED_ENVELOPE', 'unknown sealed-record suite');
}

/** Recipient key id (hex) a sealed record was encrypted for. */
export function sealedRecordKeyId(sealed: Uint8Array): string {
  checkLayout(sealed);
  return toHex(sealed.subarray(KEY_ID_AT, KEM_AT));
}

function unwrapDek(input: OpenRecordInput): Uint8Array {
  const { sealed, aad } = input;
  checkLayout(sealed);
  const keyId = sealed.subarray(KEY_ID_AT, KEM_AT);
  const candidates = Array.isArray(input.recipientKeys) ? input.recipientKeys : [input.recipientKeys as EncryptionKeyPair];
  const keys = candidates.find((k) => bytesEqual(encryptionKeyId(k.publicKey), keyId));
  if (!keys) throw new CryptoError('UNKNOWN_KEY', `no key with id ${toHex(keyId)} to open this record`);
  try {
    const kek = decapsulateHybrid(keys, sealed.subarray(KEM_AT, EPH_AT), sealed.subarray(EPH_AT, WRAP_NONCE_AT), sealed.subarray(0, KEM_AT));
    return decryptAes256Gcm(kek, sealed.subarray(WRAP_NONCE_AT, WRAPPED_AT), sealed.subarray(WRAPPED_AT, NONCE_AT), concatBytes(sealed.subarray(0, WRAP_NONCE_AT), aad));
  } catch (err) {
    if (err instanceof CryptoError && err.code === 'DECRYPTION_FAILED') throw err;
    throw new CryptoError('DECRYPTION_FAILED', 'sealed record does not open', { cause: err });
  }
}

/** Decrypts a sealed record; throws CryptoError('DECRYPTION_FAILED') on any alteration or wrong aad. */
export function openRecord(input: OpenRecordInput): Uint8Array {
  const dek = unwrapDek(input);
  try {
    return decryptAes256Gcm(dek, input.sealed.subarray(NONCE_AT, CONTENT_AT), input.sealed.subarray(CONTENT_AT), contentAad(input.aad));
  } finally {
    dek.fill(0);
  }
}

/**
 * Re-wraps a record's DEK for a new recipient key (key rotation) without touching its content:
 * only the KEM header and wrapped DEK change.
 */
export function rewrapRecord(input: OpenRecordInput & { readonly newRecipientPublicKey: EncryptionPublicKey }): Uint8Array {
  const dek = unwrapDek(input);
  try {
    return concatBytes(wrapDek(input.newRecipientPublicKey, dek, input.aad), input.sealed.subarray(NONCE_AT));
  } finally {
    dek.fill(0);
  }
}
