/**
 * One verification run: checkpoint notes are parsed on the main thread (cheap) to give the entry
 * pass its anchors at once, their signatures are checked on worker threads meanwhile, and the
 * verdict is then assembled in input order, so it is the same as checking each note before any
 * entry: the first bad checkpoint wins, then a fork, then the entry pass's own result.
 */
import { parseSignedNote, type HashAlgorithm, type NoteVerifierKey } from '../crypto/index.ts';
import { parseCheckpointBody, verifyCheckpoint } from './checkpoint.ts';
import { CheckpointSignaturePool, type SignatureResult } from './checkpoint-pool.ts';
import { CheckpointSet, LogVerifier, type CheckpointAnchor, type CheckpointCheckOptions, type VerifyFailure, type VerifyResult } from './verifier.ts';

/** Below this many checkpoints, starting a worker costs more than it saves. */
const POOL_THRESHOLD = 64;
const BATCH = 32;

export interface RunOptions {
  readonly keys: readonly NoteVerifierKey[];
  readonly origin?: string;
  readonly hashAlgorithm?: HashAlgorithm;
  readonly strict?: boolean;
  readonly allowUncheckpointed?: boolean;
  /** Verify signatures on worker threads when there are many checkpoints (default true). */
  readonly parallel?: boolean;
}

interface Parsed {
  readonly anchor?: CheckpointAnchor;
  readonly failure?: VerifyFailure;
}

function signatureFailure(position: number, size: number, r: Extract<SignatureResult, { ok: false }>): VerifyFailure {
  const code = r.code === 'MALFORMED' ? 'CHECKPOINT_MALFORMED' : r.code === 'WRONG_ORIGIN' ? 'CHECKPOINT_ORIGIN' : 'CHECKPOINT_SIGNATURE';
  return { ok: false, code, index: size, checkpoint: position, message: `checkpoint ${position} (tree size ${size}): ${r.message}` };
}

/** Runs checkpoints and entries through the verifier; `feed` pushes every entry into it. An Error among the notes marks an unreadable one. */
export async function runVerification(notes: AsyncIterable<string | Error> | Iterable<string | Error>, feed: (v: LogVerifier) => Promise<void>, options: RunOptions): Promise<VerifyResult> {
  const hashAlgorithm = options.hashAlgorithm ?? 'sha256';
  const parsed: Parsed[] = [];
  const signatures: Promise<SignatureResult[]>[] = [];
  let pool: CheckpointSignaturePool | null = null;
  let batch: string[] = [];
  const inline = (ns: readonly string[]): SignatureResult[] =>
    ns.map((n) => {
      const v = verifyCheckpoint(n, { keys: options.keys, origin: options.origin, hashAlgorithm });
      return v.ok ? { ok: true } : { ok: false, code: v.code, message: v.message };
    });
  const flush = () => {
    if (batch.length === 0) return;
    if (!pool && options.parallel !== false && parsed.length >= POOL_THRESHOLD) {
      pool = CheckpointSignaturePool.create({ keys: options.keys, origin: options.origin, hashAlgorithm });
    }
    const b = batch;
    const p = pool;
    signatures.push(p ? p.verify(b).catch(() => inline(b)) : Promise.resolve(inline(b)));
    batch = [];
  };

  try {
    for await (const note of notes) {
      const position = parsed.length;
      if (note instanceof Error) {
        parsed.push({ failure: { ok: false, code: 'CHECKPOINT_MALFORMED', index: 0, checkpoint: position, message: `checkpoint ${position}: ${note.message}` } });
        break;
      }
      try {
        const cp = parseCheckpointBody(parseSignedNote(note).text, hashAlgorithm);
        if (options.origin !== undefined && cp.origin !== options.origin) {
          parsed.push({ failure: { ok: false, code: 'CHECKPOINT_ORIGIN', index: cp.size, checkpoint: position, message: `checkpoint ${position} (tree size ${cp.size}): origin is ${JSON.stringify(cp.origin)}, expected ${JSON.stringify(options.origin)}` } });
          break;
        }
        parsed.push({ anchor: { size: cp.size, rootHash: cp.rootHash, position } });
        batch.push(note);
      } catch (err) {
        parsed.push({ failure: { ok: false, code: 'CHECKPOINT_MALFORMED', index: 0, checkpoint: position, message: `checkpoint ${position}: ${err instanceof Error ? err.message : String(err)}` } });
        break;
      }
      if (batch.length >= BATCH) flush();
    }
    flush();

    const anchors = parsed.flatMap((p) => (p.anchor ? [p.anchor] : [])).sort((a, b) => a.size - b.size);
    const verifier = new LogVerifier({ hashAlgorithm, anchors, strict: options.strict, allowUncheckpointed: options.allowUncheckpointed });
    await feed(verifier);
    const entryResult = verifier.finish();
    const results = (await Promise.all(signatures)).flat();
    const set = new CheckpointSet({ keys: options.keys, origin: options.origin, hashAlgorithm });
    let s = 0;
    for (const [position, p] of parsed.entries()) {
      if (p.failure) return p.failure;
      const r = results[s++];
      if (!r) throw new Error(`no signature result for checkpoint ${position}`);
      if (!r.ok) return signatureFailure(position, p.anchor!.size, r);
      const conflict = set.addAnchor(p.anchor!);
      if (conflict) return conflict;
    }
    return entryResult;
  } finally {
    await (pool as CheckpointSignaturePool | null)?.close();
  }
}

/** Entry source accepted by {@link verifyLog}: bytes or text per entry, singly or in pages. */
export type EntrySource = AsyncIterable<Uint8Array | string | readonly (Uint8Array | string)[]> | Iterable<Uint8Array | string | readonly (Uint8Array | string)[]>;

export interface VerifyLogInput extends CheckpointCheckOptions {
  readonly entries: EntrySource;
  readonly checkpoints: AsyncIterable<string> | Iterable<string>;
  readonly strict?: boolean;
  readonly allowUncheckpointed?: boolean;
  /** Check checkpoint signatures on worker threads when there are many (default true). */
  readonly parallel?: boolean;
}

const encoder = new TextEncoder();
const bytesOf = (e: Uint8Array | string) => (typeof e === 'string' ? encoder.encode(e) : e);

/**
 * Verifies a whole log with no server: entries (canonical JSON, in order), checkpoint notes and
 * the trusted public keys. Reusable by third parties.
 * @example const r = await verifyLog({ entries, checkpoints, keys, origin: 'audit.example/enclave' });
 */
export async function verifyLog(input: VerifyLogInput): Promise<VerifyResult> {
  return runVerification(
    input.checkpoints,
    async (verifier) => {
      for await (const item of input.entries) {
        if (typeof item === 'string' || item instanceof Uint8Array) {
          if (!verifier.push(bytesOf(item))) return;
        } else {
          for (const e of item) if (!verifier.push(bytesOf(e))) return;
        }
      }
    },
    input,
  );
}
