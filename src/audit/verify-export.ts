/**
 * `enclave audit verify --export DIR`: verifies a bundle with nothing but the directory. Entries
 * stream through a fixed 8 MiB buffer and are handed to the verifier as views, so a million
 * entries cost one read pass, no per-entry copies and no array of entries.
 */
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseNoteVerifierKey, type HashAlgorithm, type NoteVerifierKey } from '../crypto/index.ts';
import { AuditError } from './errors.ts';
import { EXPORT_FILES, manifestSchema, parseCheckpointLine } from './export-format.ts';
import type { VerifyResult } from './verifier.ts';
import { runVerification } from './verify-run.ts';

const CHUNK = 8 << 20;

export interface VerifyExportOptions {
  /** Keys pinned out of band (e.g. from `enclave audit pubkey` on the source system). Default: the bundle's pubkeys.txt. */
  readonly keys?: readonly NoteVerifierKey[];
  /** More checkpoint notes to hold the log to, e.g. ones a witness or an earlier audit kept. */
  readonly extraCheckpoints?: readonly string[];
  readonly strict?: boolean;
}

export interface ExportVerification {
  readonly result: VerifyResult;
  readonly origin: string;
  readonly hashAlgorithm: HashAlgorithm;
  readonly keys: readonly NoteVerifierKey[];
  /** True when the keys came from the bundle itself: then only their fingerprints tie them to the source system. */
  readonly keysFromBundle: boolean;
}

/**
 * Yields the lines of a file (without newlines) a buffer at a time, as views into one reused
 * 8 MiB buffer: a consumer must finish with a batch before asking for the next. The last line
 * may lack its newline. A missing file has no lines.
 */
export async function* readLineBatches(path: string): AsyncGenerator<Uint8Array[]> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let filled = 0;
    let skipping = false;
    for (;;) {
      if (filled === buf.length) {
        // A line longer than the buffer is hostile: hand over its head (consumers reject it as
        // too long, at its position) and drop the rest of it.
        yield [buf.subarray(0, filled)];
        filled = 0;
        skipping = true;
      }
      const { bytesRead } = await fh.read(buf, filled, buf.length - filled, null);
      if (bytesRead === 0) break;
      const end = filled + bytesRead;
      const lines: Uint8Array[] = [];
      let start = 0;
      if (skipping) {
        const nl = buf.indexOf(0x0a, 0);
        if (nl === -1 || nl >= end) continue;
        skipping = false;
        start = nl + 1;
      }
      let nl = buf.indexOf(0x0a, start);
      while (nl !== -1 && nl < end) {
        lines.push(buf.subarray(start, nl));
        start = nl + 1;
        nl = buf.indexOf(0x0a, start);
      }
      if (lines.length > 0) yield lines;
      buf.copy(buf, 0, start, end);
      filled = end - start;
    }
    if (filled > 0 && !skipping) yield [buf.subarray(0, filled)];
  } finally {
    await fh.close();
  }
}

/** Calls `fn` with each line of a file until it returns false. */
export async function forEachLine(path: string, fn: (line: Uint8Array) => boolean): Promise<void> {
  for await (const lines of readLineBatches(path)) for (const line of lines) if (!fn(line)) return;
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new AuditError('EXPORT_FORMAT', `cannot read ${path}`, { cause: err });
  }
}

/** Verifies an export bundle directory: every entry, every checkpoint, their consistency. */
export async function verifyExportDirectory(dir: string, options: VerifyExportOptions = {}): Promise<ExportVerification> {
  let rawManifest: unknown = null;
  try {
    rawManifest = JSON.parse(await readText(join(dir, EXPORT_FILES.manifest)));
  } catch {
    // reported below
  }
  const parsedManifest = manifestSchema.safeParse(rawManifest);
  if (!parsedManifest.success) throw new AuditError('EXPORT_FORMAT', `${dir}: manifest.json is missing or invalid`);
  const { origin, hashAlgorithm } = parsedManifest.data;
  const keysFromBundle = options.keys === undefined;
  const keys =
    options.keys ??
    (await readText(join(dir, EXPORT_FILES.pubkeys)))
      .split('\n')
      .filter((l) => l.trim().length > 0)
      .map((l) => parseNoteVerifierKey(l.trim()));

  const checkpointsFile = join(dir, EXPORT_FILES.checkpoints);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  async function* notes(): AsyncGenerator<string | Error> {
    let line = 0;
    for await (const batch of readLineBatches(checkpointsFile)) {
      for (const bytes of batch) {
        line += 1;
        try {
          yield parseCheckpointLine(decoder.decode(bytes)).note;
        } catch {
          yield new Error(`checkpoints.jsonl line ${line} is not a stored checkpoint`);
          return;
        }
      }
    }
    yield* options.extraCheckpoints ?? [];
  }
  const result = await runVerification(notes(), (verifier) => forEachLine(join(dir, EXPORT_FILES.entries), (bytes) => verifier.push(bytes)), {
    keys,
    origin,
    hashAlgorithm,
    strict: options.strict,
  });
  return { result, origin, hashAlgorithm, keys, keysFromBundle };
}
