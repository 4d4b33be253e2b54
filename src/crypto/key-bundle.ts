/**
 * Key bundles and rings: a bundle holds the signing (Ed25519 + ML-DSA-87) and encryption
 * (X25519 + ML-KEM-1024) keys of one generation. Rotation makes a new current bundle and retires
 * the old one: its signing secrets are dropped (public keys stay, to verify old checkpoints) and
 * its encryption keys are kept (to open old records). At rest a ring holds only seeds.
 */
import { z } from 'zod';
import { CryptoError } from './errors.ts';
import { sha256 } from './hash.ts';
import { concatBytes, fromBase64, toBase64, toHex, utf8 } from './encoding.ts';
import { generateEd25519KeyPair, generateMlDsa87KeyPair, type HybridPublicKey, type HybridSigningKeys } from './signatures.ts';
import { generateEncryptionKeyPair, type EncryptionKeyPair, type EncryptionPublicKey } from './hybrid-kem.ts';
import { decryptKeyMaterial, encryptKeyMaterial, type ScryptParams, DEFAULT_SCRYPT_PARAMS } from './key-material.ts';

export const KEY_RING_FORMAT = 'enclave-key-ring/v1';

export interface KeyBundle {
  readonly id: string;
  readonly createdAt: string;
  readonly signing: HybridSigningKeys;
  readonly encryption: EncryptionKeyPair;
}

export interface RetiredKeyBundle {
  readonly id: string;
  readonly createdAt: string;
  readonly retiredAt: string;
  readonly signing: HybridPublicKey;
  readonly encryption: EncryptionKeyPair;
}

/** The public half of a bundle: what `enclave audit pubkey` exports and verifiers pin. */
export interface PublicKeyBundle {
  readonly id: string;
  readonly createdAt: string;
  readonly retiredAt?: string;
  readonly signing: HybridPublicKey;
  readonly encryption: EncryptionPublicKey;
}

export interface KeyRing {
  readonly current: KeyBundle;
  /** Older generations, most recently retired first. */
  readonly retired: readonly RetiredKeyBundle[];
}

/** Bundle id: "kb-" + hex(SHA-256 of all four public keys)[:16]; stable across serialisation. */
export function keyBundleId(signing: HybridPublicKey, encryption: EncryptionPublicKey): string {
  const digest = sha256(concatBytes(utf8('enclave/key-bundle/v1'), signing.ed25519, signing.mldsa87, encryption.x25519, encryption.mlkem1024));
  return `kb-${toHex(digest.subarray(0, 8))}`;
}

/** A fresh bundle with random keys. */
export function generateKeyBundle(now: Date = new Date()): KeyBundle {
  const signing = { ed25519: generateEd25519KeyPair(), mldsa87: generateMlDsa87KeyPair() };
  const encryption = generateEncryptionKeyPair();
  const id = keyBundleId({ ed25519: signing.ed25519.publicKey, mldsa87: signing.mldsa87.publicKey }, encryption.publicKey);
  return { id, createdAt: now.toISOString(), signing, encryption };
}

/** A ring with one fresh bundle (what `enclave keys init` creates). */
export function createKeyRing(now: Date = new Date()): KeyRing {
  return { current: generateKeyBundle(now), retired: [] };
}

/** Rotates: a new current bundle; the old one retired, keeping what verification and decryption need. */
export function rotateKeyRing(ring: KeyRing, now: Date = new Date()): KeyRing {
  const old = ring.current;
  const retired: RetiredKeyBundle = {
    id: old.id,
    createdAt: old.createdAt,
    retiredAt: now.toISOString(),
    signing: { ed25519: old.signing.ed25519.publicKey, mldsa87: old.signing.mldsa87.publicKey },
    encryption: old.encryption,
  };
  return { current: generateKeyBundle(now), retired: [retired, ...ring.retired] };
}

/** Public halves of every bundle in the ring, current first. */
export function keyRingPublicKeys(ring: KeyRing): PublicKeyBundle[] {
  const { current } = ring;
  return [
    {
      id: current.id,
      createdAt: current.createdAt,
      signing: { ed25519: current.signing.ed25519.publicKey, mldsa87: current.signing.mldsa87.publicKey },
      encryption: current.encryption.publicKey,
    },
    ...ring.retired.map((r) => ({ id: r.id, createdAt: r.createdAt, retiredAt: r.retiredAt, signing: r.signing, encryption: r.encryption.publicKey })),
  ];
}

/** Every encryption key pair in the ring (current first), for opening records sealed under any generation. */
export function keyRingEncryptionKeys(ring: KeyRing): EncryptionKeyPair[] {
  return [ring.current.encryption, ...ring.retired.map((r) => r.encryption)];
}

const b64 = z.string().max(8192);
const encryptionSeedSchema = z.strictObject({ x25519: b64, mlkem1024: b64 });
const ringSchema = z.strictObject({
  format: z.literal(KEY_RING_FORMAT),
  current: z.strictObject({
    id: z.string().max(64),
    createdAt: z.iso.datetime(),
    signing: z.strictObject({ ed25519: b64, mldsa87: b64 }),
    encryption: encryptionSeedSchema,
  }),
  retired: z
    .array(
      z.strictObject({
        id: z.string().max(64),
        createdAt: z.iso.datetime(),
        retiredAt: z.iso.datetime(),
        signing: z.strictObject({ ed25519: b64, mldsa87: b64 }),
        encryption: encryptionSeedSchema,
      }),
    )
    .max(1000),
});

/** Serialises a ring to JSON text holding seeds (secret!): encrypt it with {@link sealKeyRing}. */
export function serializeKeyRing(ring: KeyRing): string {
  const { current } = ring;
  return `${JSON.stringify({
    format: KEY_RING_FORMAT,
    current: {
      id: current.id,
      createdAt: current.createdAt,
      signing: { ed25519: toBase64(current.signing.ed25519.seed), mldsa87: toBase64(current.signing.mldsa87.seed) },
      encryption: { x25519: toBase64(current.encryption.seed.x25519), mlkem1024: toBase64(current.encryption.seed.mlkem1024) },
    },
    retired: ring.retired.map((r) => ({
      id: r.id,
      createdAt: r.createdAt,
      retiredAt: r.retiredAt,
      signing: { ed25519: toBase64(r.signing.ed25519), mldsa87: toBase64(r.signing.mldsa87) },
      encryption: { x25519: toBase64(r.encryption.seed.x25519), mlkem1024: toBase64(r.encryption.seed.mlkem1024) },
    })),
  })}\n`;
}

function checkId(expected: string, signing: HybridPublicKey, encryption: EncryptionPublicKey): void {
  if (keyBundleId(signing, encryption) !== expected) throw new CryptoError('INVALID_KEY', `key bundle ${expected}: keys do not match its id`);
}

/** Parses {@link serializeKeyRing} output, re-deriving every key from its seed and checking bundle ids. */
export function parseKeyRing(text: string): KeyRing {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CryptoError('MALFORMED_ENVELOPE', 'key ring is not JSON', { cause: err });
  }
  const parsed = ringSchema.safeParse(raw);
  if (!parsed.success) throw new CryptoError('MALFORMED_ENVELOPE', `key ring: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const c = parsed.data.current;
  const signing = { ed25519: generateEd25519KeyPair(fromBase64(c.signing.ed25519)), mldsa87: generateMlDsa87KeyPair(fromBase64(c.signing.mldsa87)) };
  const encryption = generateEncryptionKeyPair({ x25519: fromBase64(c.encryption.x25519), mlkem1024: fromBase64(c.encryption.mlkem1024) });
  checkId(c.id, { ed25519: signing.ed25519.publicKey, mldsa87: signing.mldsa87.publicKey }, encryption.publicKey);
  const retired = parsed.data.retired.map((r) => {
    const pub = { ed25519: fromBase64(r.signing.ed25519), mldsa87: fromBase64(r.signing.mldsa87) };
    const enc = generateEncryptionKeyPair({ x25519: fromBase64(r.encryption.x25519), mlkem1024: fromBase64(r.encryption.mlkem1024) });
    checkId(r.id, pub, enc.publicKey);
    return { id: r.id, createdAt: r.createdAt, retiredAt: r.retiredAt, signing: pub, encryption: enc };
  });
  return { current: { id: c.id, createdAt: c.createdAt, signing, encryption }, retired };
}

/** Encrypts a ring for storage at rest (scrypt + AES-256-GCM envelope). */
export async function sealKeyRing(ring: KeyRing, secret: string | Uint8Array, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  return encryptKeyMaterial(utf8(serializeKeyRing(ring)), secret, params);
}

/** Decrypts and parses a ring sealed with {@link sealKeyRing}. */
export async function openKeyRing(envelope: string, secret: string | Uint8Array): Promise<KeyRing> {
  const plaintext = await decryptKeyMaterial(envelope, secret);
  try {
    return parseKeyRing(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } finally {
    plaintext.fill(0);
  }
}
