/**
 * Keys at rest: key material encrypted under a passphrase or secret with scrypt (RFC 7914) and
 * AES-256-GCM. The envelope is JSON; its KDF parameters are bounded because the file is
 * untrusted input (a huge N would be a denial of service).
 */
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { z } from 'zod';
import { CryptoError } from './errors.ts';
import { randomBytes } from './random.ts';
import { fromBase64, toBase64, utf8 } from './encoding.ts';
import { decryptAes256Gcm, encryptAes256Gcm, GCM_NONCE_LENGTH } from './aead.ts';

export const KEY_MATERIAL_FORMAT = 'enclave-key-material/v1';

/** scrypt cost: N = 2^17, r = 8, p = 1 (128 MiB, the OWASP recommendation for scrypt). */
export const DEFAULT_SCRYPT_PARAMS = { N: 2 ** 17, r: 8, p: 1 } as const;

export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

const MAX_CIPHERTEXT_BASE64 = 16 * 1024 * 1024;

const isPowerOfTwo = (n: number) => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

const scryptParamsSchema = z
  .object({
    N: z.number().int().min(2 ** 10).max(2 ** 22).refine(isPowerOfTwo, 'N must be a power of two'),
    r: z.number().int().min(1).max(32),
    p: z.number().int().min(1).max(16),
  })
  .refine((k) => 128 * k.N * k.r * k.p <= 2 ** 30, 'scrypt parameters need more than 1 GiB');

const envelopeSchema = z.strictObject({
  format: z.literal(KEY_MATERIAL_FORMAT),
  kdf: z.strictObject({ name: z.literal('scrypt'), N: z.number(), r: z.number(), p: z.number(), salt: z.string().max(128) }),
  nonce: z.string().max(64),
  ciphertext: z.string().max(MAX_CIPHERTEXT_BASE64),
});

function secretBytes(secret: string | Uint8Array): Uint8Array {
  const bytes = typeof secret === 'string' ? utf8(secret.normalize('NFC')) : secret;
  if (bytes.length === 0) throw new CryptoError('INVALID_KEY', 'the key-encryption secret is empty');
  return bytes;
}

// The header is bound as associated data, so parameters cannot be swapped without detection.
function headerAad(params: ScryptParams, salt: string): Uint8Array {
  return utf8(JSON.stringify({ format: KEY_MATERIAL_FORMAT, kdf: { name: 'scrypt', N: params.N, r: params.r, p: params.p, salt } }));
}

async function deriveKey(secret: string | Uint8Array, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  return scryptAsync(secretBytes(secret), salt, { N: params.N, r: params.r, p: params.p, dkLen: 32, maxmem: 2 ** 30 + 2 ** 20 });
}

/**
 * Encrypts key material under a passphrase or secret; returns the JSON envelope text.
 * @example const text = await encryptKeyMaterial(serializedKeyRing, process.env.ENCLAVE_KEY_SECRET!);
 */
export async function encryptKeyMaterial(plaintext: Uint8Array, secret: string | Uint8Array, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  const checked = scryptParamsSchema.safeParse(params);
  if (!checked.success) throw new CryptoError('KDF_PARAMETERS', checked.error.issues[0]?.message ?? 'bad scrypt parameters');
  const salt = randomBytes(16);
  const nonce = randomBytes(GCM_NONCE_LENGTH);
  const saltText = toBase64(salt);
  const key = await deriveKey(secret, salt, params);
  const ciphertext = encryptAes256Gcm(key, nonce, plaintext, headerAad(params, saltText));
  key.fill(0);
  return `${JSON.stringify({
    format: KEY_MATERIAL_FORMAT,
    kdf: { name: 'scrypt', N: params.N, r: params.r, p: params.p, salt: saltText },
    nonce: toBase64(nonce),
    ciphertext: toBase64(ciphertext),
  })}\n`;
}

/** Decrypts an envelope of {@link encryptKeyMaterial}; a wrong secret gives CryptoError('DECRYPTION_FAILED'). */
export async function decryptKeyMaterial(envelope: string, secret: string | Uint8Array): Promise<Uint8Array> {
  let raw: unknown;
  try {
    raw = JSON.parse(envelope);
  } catch (err) {
    throw new CryptoError('MALFORMED_ENVELOPE', 'key material is not JSON', { cause: err });
  }
  const parsed = envelopeSchema.safeParse(raw);
  if (!parsed.success) throw new CryptoError('MALFORMED_ENVELOPE', `key material envelope: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const { kdf, nonce, ciphertext } = parsed.data;
  const params = scryptParamsSchema.safeParse({ N: kdf.N, r: kdf.r, p: kdf.p });
  if (!params.success) throw new CryptoError('KDF_PARAMETERS', params.error.issues[0]?.message ?? 'bad scrypt parameters');
  const salt = fromBase64(kdf.salt, 'salt');
  if (salt.length < 16) throw new CryptoError('MALFORMED_ENVELOPE', 'salt is shorter than 16 bytes');
  const key = await deriveKey(secret, salt, params.data);
  try {
    return decryptAes256Gcm(key, fromBase64(nonce, 'nonce'), fromBase64(ciphertext, 'ciphertext'), headerAad(params.data, kdf.salt));
  } finally {
    key.fill(0);
  }
}
