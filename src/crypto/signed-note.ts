/**
 * C2SP signed notes (c2sp.org/signed-note): text, a blank line, then signature lines
 * `— <key name> <base64(key ID || signature)>`. Parsers here treat the note as hostile input.
 */
import { CryptoError } from './errors.ts';
import { sha256 } from './hash.ts';
import { bytesEqual, concatBytes, fromBase64, toBase64, utf8 } from './encoding.ts';
import {
  ED25519_PUBLIC_KEY_LENGTH,
  MLDSA87_PUBLIC_KEY_LENGTH,
  signEd25519,
  signMlDsa87,
  verifyEd25519,
  verifyMlDsa87,
} from './signatures.ts';

export type NoteKeyAlgorithm = 'ed25519' | 'ml-dsa-87';

/** Signature type 0x01, Ed25519 over the note text (signed-note, "Ed25519 signatures"). */
export const NOTE_SIGNATURE_TYPE_ED25519 = Uint8Array.of(0x01);

/**
 * ML-DSA-87 has no assigned identifier byte, so per signed-note "Signature types" it uses 0xff
 * followed by a longer identifier: 0xff || "enclave/ml-dsa-87/v1". The signature is FIPS 204
 * ML-DSA-87 over the note text with context string {@link NOTE_MLDSA87_CONTEXT}.
 */
export const NOTE_SIGNATURE_TYPE_MLDSA87 = concatBytes(Uint8Array.of(0xff), utf8('enclave/ml-dsa-87/v1'));

/** FIPS 204 context of note signatures, separating them from other uses of the same key. */
export const NOTE_MLDSA87_CONTEXT = 'enclave/signed-note/v1';

/** Upper bounds for hostile notes: C2SP asks for at least 16 signatures; PQ ones are ~6 KB each. */
export const NOTE_MAX_BYTES = 256 * 1024;
export const NOTE_MAX_SIGNATURES = 100;

const LONE_SURROGATE = /\p{Cs}/u;
const EM_DASH_PREFIX = '\u2014 ';
const FORBIDDEN_CONTROL = /[\u0000-\u0009\u000b-\u001f]/;
const UNICODE_SPACE = /[\s\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u;

export interface NoteVerifierKey {
  readonly name: string;
  readonly algorithm: NoteKeyAlgorithm;
  /** uint32 key ID: SHA-256(name || 0x0A || signature type || public key)[:4], big-endian. */
  readonly keyId: number;
  readonly publicKey: Uint8Array;
}

export interface NoteSigner {
  readonly name: string;
  readonly algorithm: NoteKeyAlgorithm;
  readonly keyId: number;
  sign(text: Uint8Array): Uint8Array;
}

export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  readonly signature: Uint8Array;
}

export interface ParsedNote {
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

export type NoteVerification =
  | { readonly ok: true; readonly text: string; readonly verified: readonly NoteVerifierKey[] }
  | { readonly ok: false; readonly code: 'MALFORMED' | 'BAD_SIGNATURE' | 'NO_KNOWN_SIGNATURE'; readonly message: string };

function signatureType(algorithm: NoteKeyAlgorithm): Uint8Array {
  return algorithm === 'ed25519' ? NOTE_SIGNATURE_TYPE_ED25519 : NOTE_SIGNATURE_TYPE_MLDSA87;
}

function publicKeyLength(algorithm: NoteKeyAlgorithm): number {
  return algorithm === 'ed25519' ? ED25519_PUBLIC_KEY_LENGTH : MLDSA87_PUBLIC_KEY_LENGTH;
}

/** True if `name` is a valid key name: non-empty, no Unicode spaces, no '+'. */
export function isValidNoteKeyName(name: string): boolean {
  return name.length > 0 && name.length <= 256 && !name.includes('+') && !UNICODE_SPACE.test(name) && !FORBIDDEN_CONTROL.test(name);
}

function checkName(name: string): void {
  if (!isValidNoteKeyName(name)) throw new CryptoError('INVALID_KEY', `invalid note key name ${JSON.stringify(name)}`);
}

/** Key ID of signed-note, "Signatures": SHA-256(key name || 0x0A || signature type || public key)[:4]. */
export function noteKeyId(name: string, algorithm: NoteKeyAlgorithm, publicKey: Uint8Array): number {
  const digest = sha256(concatBytes(utf8(name), Uint8Array.of(0x0a), signatureType(algorithm), publicKey));
  return ((digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!) >>> 0;
}

function keyIdBytes(keyId: number): Uint8Array {
  return Uint8Array.of(keyId >>> 24, (keyId >>> 16) & 0xff, (keyId >>> 8) & 0xff, keyId & 0xff);
}

/** A verifier key for a public key. */
export function createNoteVerifierKey(name: string, algorithm: NoteKeyAlgorithm, publicKey: Uint8Array): NoteVerifierKey {
  checkName(name);
  if (publicKey.length !== publicKeyLength(algorithm)) throw new CryptoError('INVALID_KEY', `${algorithm} public key has the wrong length`);
  return { name, algorithm, keyId: noteKeyId(name, algorithm, publicKey), publicKey };
}

/** The text form witnesses and sumdb tools share: `<name>+<hex key ID>+<base64(type || public key)>`. */
export function formatNoteVerifierKey(key: NoteVerifierKey): string {
  const id = key.keyId.toString(16).padStart(8, '0');
  return `${key.name}+${id}+${toBase64(concatBytes(signatureType(key.algorithm), key.publicKey))}`;
}

/** Parses a verifier key string, checking that its key ID matches its name and key. */
export function parseNoteVerifierKey(vkey: string): NoteVerifierKey {
  const first = vkey.indexOf('+');
  const name = vkey.slice(0, Math.max(first, 0));
  const id = vkey.slice(first + 1, first + 9);
  if (first <= 0 || vkey[first + 9] !== '+' || !/^[0-9a-f]{8}$/.test(id)) {
    throw new CryptoError('INVALID_KEY', 'verifier key must be <name>+<8 hex>+<base64>');
  }
  checkName(name);
  const material = fromBase64(vkey.slice(first + 10), 'verifier key');
  let algorithm: NoteKeyAlgorithm;
  let publicKey: Uint8Array;
  if (material[0] === 0x01) {
    algorithm = 'ed25519';
    publicKey = material.subarray(1);
  } else if (material.length > NOTE_SIGNATURE_TYPE_MLDSA87.length && bytesEqual(material.subarray(0, NOTE_SIGNATURE_TYPE_MLDSA87.length), NOTE_SIGNATURE_TYPE_MLDSA87)) {
    algorithm = 'ml-dsa-87';
    publicKey = material.subarray(NOTE_SIGNATURE_TYPE_MLDSA87.length);
  } else {
    throw new CryptoError('INVALID_KEY', 'verifier key has an unsupported signature type');
  }
  const key = createNoteVerifierKey(name, algorithm, Uint8Array.from(publicKey));
  if (key.keyId !== Number.parseInt(id, 16)) throw new CryptoError('INVALID_KEY', 'verifier key ID does not match its name and key');
  return key;
}

/** A note signer for an Ed25519 or ML-DSA-87 key pair. */
export function createNoteSigner(name: string, algorithm: NoteKeyAlgorithm, keyPair: { publicKey: Uint8Array; secretKey: Uint8Array }): NoteSigner {
  const { keyId } = createNoteVerifierKey(name, algorithm, keyPair.publicKey);
  const sign =
    algorithm === 'ed25519'
      ? (text: Uint8Array) => signEd25519(keyPair.secretKey, text)
      : (text: Uint8Array) => signMlDsa87(keyPair.secretKey, text, NOTE_MLDSA87_CONTEXT);
  return { name, algorithm, keyId, sign };
}

function checkText(text: string): void {
  if (!text.endsWith('\n')) throw new CryptoError('MALFORMED_NOTE', 'note text must end with a newline');
  if (FORBIDDEN_CONTROL.test(text)) throw new CryptoError('MALFORMED_NOTE', 'note text contains a control character');
}

/** Signs `text` (which must end in a newline) with every signer, one signature line each. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  checkText(text);
  if (signers.length === 0) throw new CryptoError('INVALID_KEY', 'a note needs at least one signer');
  const message = utf8(text);
  const lines = signers.map((s) => `${EM_DASH_PREFIX}${s.name} ${toBase64(concatBytes(keyIdBytes(s.keyId), s.sign(message)))}\n`);
  return `${text}\n${lines.join('')}`;
}

/** Parses a signed note without verifying it; throws CryptoError('MALFORMED_NOTE'). */
export function parseSignedNote(note: string): ParsedNote {
  if (note.length > NOTE_MAX_BYTES || Buffer.byteLength(note, 'utf8') > NOTE_MAX_BYTES) {
    throw new CryptoError('MALFORMED_NOTE', `note is larger than ${NOTE_MAX_BYTES} bytes`);
  }
  if (FORBIDDEN_CONTROL.test(note)) throw new CryptoError('MALFORMED_NOTE', 'note contains a control character');
  if (LONE_SURROGATE.test(note)) throw new CryptoError('MALFORMED_NOTE', 'note is not valid Unicode');
  // The text is separated from the signatures by the last empty line.
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new CryptoError('MALFORMED_NOTE', 'note has no signature block');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > NOTE_MAX_SIGNATURES) throw new CryptoError('MALFORMED_NOTE', `note has more than ${NOTE_MAX_SIGNATURES} signatures`);
  const signatures = lines.map((line) => {
    if (!line.startsWith(EM_DASH_PREFIX)) throw new CryptoError('MALFORMED_NOTE', 'signature line does not start with an em dash');
    const rest = line.slice(EM_DASH_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = rest.slice(0, Math.max(space, 0));
    if (space <= 0 || !isValidNoteKeyName(name)) throw new CryptoError('MALFORMED_NOTE', 'signature line has an invalid key name');
    let blob: Uint8Array;
    try {
      blob = fromBase64(rest.slice(space + 1), 'note signature');
    } catch {
      throw new CryptoError('MALFORMED_NOTE', 'note signature is not canonical base64');
    }
    if (blob.length < 5) throw new CryptoError('MALFORMED_NOTE', 'note signature is too short');
    const keyId = ((blob[0]! << 24) | (blob[1]! << 16) | (blob[2]! << 8) | blob[3]!) >>> 0;
    return { name, keyId, signature: blob.subarray(4) };
  });
  return { text, signatures };
}

function verifyOne(key: NoteVerifierKey, message: Uint8Array, signature: Uint8Array): boolean {
  return key.algorithm === 'ed25519'
    ? verifyEd25519(key.publicKey, message, signature)
    : verifyMlDsa87(key.publicKey, message, signature, NOTE_MLDSA87_CONTEXT);
}

/**
 * Verifies a signed note per signed-note, "Signatures": lines from unknown keys are ignored, a
 * line from a known key that fails rejects the whole note, and at least one known key must sign.
 */
export function verifySignedNote(note: string | ParsedNote, keys: readonly NoteVerifierKey[]): NoteVerification {
  let parsed: ParsedNote;
  try {
    parsed = typeof note === 'string' ? parseSignedNote(note) : note;
  } catch (err) {
    return { ok: false, code: 'MALFORMED', message: err instanceof Error ? err.message : String(err) };
  }
  const message = utf8(parsed.text);
  const verified: NoteVerifierKey[] = [];
  for (const sig of parsed.signatures) {
    const key = keys.find((k) => k.name === sig.name && k.keyId === sig.keyId);
    if (!key) continue;
    if (!verifyOne(key, message, sig.signature)) {
      return { ok: false, code: 'BAD_SIGNATURE', message: `${key.algorithm} signature by ${key.name} (key ${key.keyId.toString(16).padStart(8, '0')}) does not verify` };
    }
    if (!verified.includes(key)) verified.push(key);
  }
  if (verified.length === 0) return { ok: false, code: 'NO_KNOWN_SIGNATURE', message: 'no signature from a trusted key' };
  return { ok: true, text: parsed.text, verified };
}

/** Hex form of a key ID, as printed in verifier keys. */
export function formatNoteKeyId(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

