/** AES-256-GCM (NIST SP 800-38D) over node:crypto, with a 96-bit nonce and a 128-bit tag appended. */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { CryptoError } from './errors.ts';

export const AES256_KEY_LENGTH = 32;
export const GCM_NONCE_LENGTH = 12;
export const GCM_TAG_LENGTH = 16;

function checkParams(key: Uint8Array, nonce: Uint8Array): void {
  if (key.length !== AES256_KEY_LENGTH) throw new CryptoError('INVALID_KEY', 'AES-256-GCM key must be 32 bytes');
  if (nonce.length !== GCM_NONCE_LENGTH) throw new CryptoError('INVALID_KEY', 'AES-256-GCM nonce must be 12 bytes');
}

/** Encrypts and authenticates; returns ciphertext || tag. Never reuse a (key, nonce) pair. */
export function encryptAes256Gcm(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  checkParams(key, nonce);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_LENGTH });
  cipher.setAAD(aad);
  const out = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Decrypts ciphertext || tag; throws CryptoError('DECRYPTION_FAILED') if anything was altered. */
export function decryptAes256Gcm(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array {
  checkParams(key, nonce);
  if (sealed.length < GCM_TAG_LENGTH) throw new CryptoError('DECRYPTION_FAILED', 'ciphertext is shorter than its tag');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_LENGTH });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - GCM_TAG_LENGTH));
    const out = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - GCM_TAG_LENGTH)), decipher.final()]);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (err) {
    throw new CryptoError('DECRYPTION_FAILED', 'authentication failed: wrong key, altered data or wrong associated data', { cause: err });
  }
}
