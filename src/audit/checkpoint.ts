/**
 * Checkpoints (c2sp.org/tlog-checkpoint): a signed note whose text is the origin, the tree size
 * and the base64 root hash. Enclave signs each with two lines under the origin's key name,
 * Ed25519 (for existing witnesses) and ML-DSA-87, and by default accepts one only if both verify.
 */
import {
  createNoteSigner,
  createNoteVerifierKey,
  fromBase64,
  HASH_LENGTHS,
  isValidNoteKeyName,
  parseSignedNote,
  signNote,
  toBase64,
  verifySignedNote,
  type HashAlgorithm,
  type KeyBundle,
  type KeyRing,
  type NoteKeyAlgorithm,
  type NoteSigner,
  type NoteVerifierKey,
  type PublicKeyBundle,
  keyRingPublicKeys,
} from '../crypto/index.ts';
import { AuditError } from './errors.ts';

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** Opaque extension lines (tlog-checkpoint allows them; Enclave writes none). */
  readonly extensions: readonly string[];
}

export interface CheckpointVerifyOptions {
  /** Trusted keys: current and retired. Signatures from other keys are ignored (signed-note). */
  readonly keys: readonly NoteVerifierKey[];
  /** Expected origin line; any origin when omitted. */
  readonly origin?: string;
  readonly hashAlgorithm?: HashAlgorithm;
  /** Algorithms that must each contribute a verified signature (default: both). */
  readonly require?: readonly NoteKeyAlgorithm[];
}

export type CheckpointFailureCode = 'MALFORMED' | 'BAD_SIGNATURE' | 'MISSING_SIGNATURE' | 'WRONG_ORIGIN';

export type CheckpointVerification =
  | { readonly ok: true; readonly checkpoint: Checkpoint; readonly verifiedBy: readonly NoteVerifierKey[] }
  | { readonly ok: false; readonly code: CheckpointFailureCode; readonly message: string; readonly size?: number };

const DECIMAL = /^(?:0|[1-9][0-9]{0,15})$/;

/** The note text of a checkpoint: `origin\nsize\nbase64(root)\n` (no extension lines). */
export function formatCheckpointBody(cp: { origin: string; size: number; rootHash: Uint8Array }): string {
  if (!isValidNoteKeyName(cp.origin)) throw new AuditError('MALFORMED_CHECKPOINT', 'origin must be non-empty without spaces or "+"');
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) throw new AuditError('MALFORMED_CHECKPOINT', `invalid tree size ${cp.size}`);
  return `${cp.origin}\n${cp.size}\n${toBase64(cp.rootHash)}\n`;
}

/**
 * Parses checkpoint note text (hostile input): at least three non-empty lines, a decimal size
 * without leading zeros that fits a safe integer, a base64 root of the expected length.
 */
export function parseCheckpointBody(text: string, hashAlgorithm: HashAlgorithm = 'sha256'): Checkpoint {
  const fail = (why: string): never => {
    throw new AuditError('MALFORMED_CHECKPOINT', `checkpoint: ${why}`);
  };
  if (!text.endsWith('\n')) fail('text must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3 || lines.length > 64) fail('needs origin, size and root lines');
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin.length === 0 || origin.length > 1024) fail('origin line is empty or too long');
  if (!DECIMAL.test(sizeText)) fail('tree size is not a decimal without leading zeros');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) fail('tree size is too large');
  let rootHash: Uint8Array;
  try {
    rootHash = fromBase64(rootText, 'root hash');
  } catch {
    return fail('root hash is not base64');
  }
  if (rootHash.length !== HASH_LENGTHS[hashAlgorithm]) fail(`root hash is not a ${hashAlgorithm} hash`);
  if (extensions.some((e) => e.length === 0)) fail('extension lines must be non-empty');
  return { origin, size, rootHash, extensions };
}

/** Signs a checkpoint with every signer (Enclave: Ed25519 then ML-DSA-87); returns the note. */
export function signCheckpoint(cp: { origin: string; size: number; rootHash: Uint8Array }, signers: readonly NoteSigner[]): string {
  return signNote(formatCheckpointBody(cp), signers);
}

/** Parses and verifies a checkpoint note; never throws on hostile input. */
export function verifyCheckpoint(note: string, options: CheckpointVerifyOptions): CheckpointVerification {
  let checkpoint: Checkpoint;
  let parsed: ReturnType<typeof parseSignedNote>;
  try {
    parsed = parseSignedNote(note);
    checkpoint = parseCheckpointBody(parsed.text, options.hashAlgorithm);
  } catch (err) {
    return { ok: false, code: 'MALFORMED', message: err instanceof Error ? err.message : String(err) };
  }
  const size = checkpoint.size;
  if (options.origin !== undefined && checkpoint.origin !== options.origin) {
    return { ok: false, code: 'WRONG_ORIGIN', size, message: `origin is ${JSON.stringify(checkpoint.origin)}, expected ${JSON.stringify(options.origin)}` };
  }
  const result = verifySignedNote(parsed, options.keys);
  if (!result.ok) {
    const code = result.code === 'BAD_SIGNATURE' ? 'BAD_SIGNATURE' : result.code === 'MALFORMED' ? 'MALFORMED' : 'MISSING_SIGNATURE';
    return { ok: false, code, size, message: result.message };
  }
  for (const algorithm of options.require ?? ['ed25519', 'ml-dsa-87']) {
    if (!result.verified.some((k) => k.algorithm === algorithm)) {
      return { ok: false, code: 'MISSING_SIGNATURE', size, message: `no verified ${algorithm} signature from a trusted key` };
    }
  }
  return { ok: true, checkpoint, verifiedBy: result.verified };
}

/** The two note signers of a key bundle under the log's key name (= origin, per tlog-checkpoint). */
export function checkpointSigners(origin: string, bundle: KeyBundle): NoteSigner[] {
  return [createNoteSigner(origin, 'ed25519', bundle.signing.ed25519), createNoteSigner(origin, 'ml-dsa-87', bundle.signing.mldsa87)];
}

/** Verifier keys for every bundle (current and retired) under the log's key name. */
export function checkpointVerifierKeys(origin: string, bundles: readonly PublicKeyBundle[]): NoteVerifierKey[] {
  return bundles.flatMap((b) => [createNoteVerifierKey(origin, 'ed25519', b.signing.ed25519), createNoteVerifierKey(origin, 'ml-dsa-87', b.signing.mldsa87)]);
}

/** Signers of the ring's current bundle and verifier keys of all its bundles, for an AuditLog. */
export function checkpointKeysFromRing(origin: string, ring: KeyRing): { signers: NoteSigner[]; verifiers: NoteVerifierKey[] } {
  return { signers: checkpointSigners(origin, ring.current), verifiers: checkpointVerifierKeys(origin, keyRingPublicKeys(ring)) };
}
