/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Checkpoint signatures checked in the browser: C2SP signed notes (c2sp.org/signed-note) carrying
 * a tlog-checkpoint body, signed by the gateway with Ed25519 and ML-DSA-87 under the log's key name
 * (see src/crypto/signed-note.ts and src/audit/checkpoint.ts, which this mirrors without sharing
 * code, so a fault in one is caught by the other). Verifier keys come in the text form the gateway
 * publishes (`<name>+<hex key ID>+<base64(type || public key)>`). Everything here is hostile input.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { bytesEqual, type HashName } from './merkle.ts';

export type NoteAlgorithm = 'ed25519' | 'ml-dsa-87';

export interface VerifierKey {
  readonly name: string;
  readonly algorithm: NoteAlgorithm;
  /** SHA-256(name || 0x0A || signature type || public key)[:4], big-endian. */
  readonly keyId: number;
  readonly publicKey: Uint8Array;
}

export interface NoteSignature { readonly name: string; readonly keyId: number; readonly signature: Uint8Array }

export interface BrowserCheckpoint { readonly origin: string; readonly size: number; readonly root: Uint8Array }

export type CheckpointCheck =
  | { readonly ok: true; readonly checkpoint: BrowserCheckpoint; readonly verified: readonly VerifierKey[] }
  | { readonly ok: false; readonly message: string };

const encoder = new TextEncoder();
/** Signature type 0x01: Ed25519. ML-DSA-87 has none assigned: 0xff || "enclave/ml-dsa-87/v1". */
const TYPE_ED25519 = Uint8Array.of(0x01);
const TYPE_MLDSA87 = Uint8Array.of(0xff, ...encoder.encode('enclave/ml-dsa-87/v1'));
/** FIPS 204 context string of note signatures. */
const MLDSA87_CONTEXT = encoder.encode('enclave/signed-note/v1');
const PUBLIC_KEY_LENGTH: Record<NoteAlgorithm, number> = { 'ed25519': 32, 'ml-dsa-87': 2592 };
const SIGNATURE_LENGTH: Record<NoteAlgorithm, number> = { 'ed25519': 64, 'ml-dsa-87': 4627 };
const NOTE_MAX_BYTES = 256 * 1024;
const NOTE_MAX_SIGNATURES = 100;
const DECIMAL = /^(?:0|[1-9][0-9]{0,15})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const FORBIDDEN_CONTROL = /[\u0000-\u0009\u000b-\u001f]/;
const UNICODE_SPACE = /[\s\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u;
const EM_DASH_PREFIX = '\u2014 ';

function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** Canonical base64 only (padding, zero trailing bits), as the gateway writes it; undefined otherwise. */
export function fromBase64Strict(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const bin = atob(text);
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  let again = '';
  for (let i = 0; i < bytes.length; i += 0x8000) again += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(again) === text ? bytes : undefined;
}

function typeOf(algorithm: NoteAlgorithm): Uint8Array {
  return algorithm === 'ed25519' ? TYPE_ED25519 : TYPE_MLDSA87;
}

function validName(name: string): boolean {
  return name.length > 0 && name.length <= 256 && !name.includes('+') && !UNICODE_SPACE.test(name) && !FORBIDDEN_CONTROL.test(name);
}

export function noteKeyId(name: string, algorithm: NoteAlgorithm, publicKey: Uint8Array): number {
  const d = sha256(concat(encoder.encode(name), Uint8Array.of(0x0a), typeOf(algorithm), publicKey));
  return ((d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!) >>> 0;
}

/** Parses a published verifier key; undefined when malformed or when its key ID does not match its name and key. */
export function parseVerifierKey(vkey: string): VerifierKey | undefined {
  const m = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(vkey);
  if (!m || !validName(m[1]!)) return undefined;
  const material = fromBase64Strict(m[3]!);
  if (!material) return undefined;
  let algorithm: NoteAlgorithm;
  let publicKey: Uint8Array;
  if (material[0] === 0x01) {
    algorithm = 'ed25519';
    publicKey = material.slice(1);
  } else if (material.length > TYPE_MLDSA87.length && bytesEqual(material.subarray(0, TYPE_MLDSA87.length), TYPE_MLDSA87)) {
    algorithm = 'ml-dsa-87';
    publicKey = material.slice(TYPE_MLDSA87.length);
  } else {
    return undefined;
  }
  if (publicKey.length !== PUBLIC_KEY_LENGTH[algorithm]) return undefined;
  const keyId = noteKeyId(m[1]!, algorithm, publicKey);
  return keyId === Number.parseInt(m[2]!, 16) ? { name: m[1]!, algorithm, keyId, publicKey } : undefined;
}

/** Splits a signed note at its last blank line into text and signature lines; undefined when malformed. */
export function parseSignedNote(note: string): { text: string; signatures: NoteSignature[] } | undefined {
  if (note.length > NOTE_MAX_BYTES || encoder.encode(note).length > NOTE_MAX_BYTES || FORBIDDEN_CONTROL.test(note)) return undefined;
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) return undefined;
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > NOTE_MAX_SIGNATURES) return undefined;
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    if (!line.startsWith(EM_DASH_PREFIX)) return undefined;
    const rest = line.slice(EM_DASH_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = rest.slice(0, Math.max(space, 0));
    if (space <= 0 || !validName(name)) return undefined;
    const blob = fromBase64Strict(rest.slice(space + 1));
    if (!blob || blob.length < 5) return undefined;
    signatures.push({ name, keyId: ((blob[0]! << 24) | (blob[1]! << 16) | (blob[2]! << 8) | blob[3]!) >>> 0, signature: blob.slice(4) });
  }
  return { text: note.slice(0, split + 1), signatures };
}

/** The tlog-checkpoint body: origin, decimal size, base64 root of the log's hash, optional extension lines. */
export function parseCheckpointText(text: string, hash: HashName): BrowserCheckpoint | undefined {
  if (!text.endsWith('\n')) return undefined;
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3 || lines.length > 64 || lines.slice(3).some((l) => l.length === 0)) return undefined;
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (origin.length === 0 || !DECIMAL.test(sizeText)) return undefined;
  const size = Number(sizeText);
  const root = fromBase64Strict(rootText);
  if (!Number.isSafeInteger(size) || !root || root.length !== (hash === 'SHA-384' ? 48 : 32)) return undefined;
  return { origin, size, root };
}

function verifyOne(key: VerifierKey, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_LENGTH[key.algorithm]) return false;
  try {
    // RFC 8032 strict verification (not ZIP-215), as node:crypto does on the gateway.
    return key.algorithm === 'ed25519'
      ? ed25519.verify(signature, message, key.publicKey, { zip215: false })
      : ml_dsa87.verify(signature, message, key.publicKey, { context: MLDSA87_CONTEXT });
  } catch {
    return false;
  }
}

/**
 * Verifies a checkpoint note here, against the published keys of the log named `origin`: the body
 * must parse and name that origin, every signature line from one of those keys must verify (one
 * that fails rejects the note; lines from unknown keys are ignored, per signed-note), and both an
 * Ed25519 and an ML-DSA-87 signature must have verified.
 */
export function verifyCheckpointSignatures(note: string, publishedKeys: readonly string[], expect: { origin: string; hash: HashName }): CheckpointCheck {
  const keys: VerifierKey[] = [];
  for (const vkey of publishedKeys) {
    const key = parseVerifierKey(vkey);
    if (!key) return { ok: false, message: `a published key does not parse or its key ID does not match: ${vkey.slice(0, 40)}…` };
    if (key.name === expect.origin) keys.push(key);
  }
  const parsed = parseSignedNote(note);
  if (!parsed) return { ok: false, message: 'the checkpoint is not a well-formed signed note' };
  const checkpoint = parseCheckpointText(parsed.text, expect.hash);
  if (!checkpoint) return { ok: false, message: 'the checkpoint text does not parse' };
  if (checkpoint.origin !== expect.origin) return { ok: false, message: `the checkpoint is for log ${JSON.stringify(checkpoint.origin)}, not ${JSON.stringify(expect.origin)}` };
  const message = encoder.encode(parsed.text);
  const verified: VerifierKey[] = [];
  for (const sig of parsed.signatures) {
    const key = keys.find((k) => k.name === sig.name && k.keyId === sig.keyId);
    if (!key) continue;
    if (!verifyOne(key, message, sig.signature)) {
      return { ok: false, message: `the ${key.algorithm} signature by key ${key.keyId.toString(16).padStart(8, '0')} does not verify` };
    }
    if (!verified.includes(key)) verified.push(key);
  }
  for (const algorithm of ['ed25519', 'ml-dsa-87'] as const) {
    if (!verified.some((k) => k.algorithm === algorithm)) return { ok: false, message: `no ${algorithm} signature from a published key` };
  }
  return { ok: true, checkpoint, verified };
}
