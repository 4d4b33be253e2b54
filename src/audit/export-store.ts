/**
 * A file-backed AuditStore over an export bundle directory (see export-format.ts). It is real:
 * appends are written in one write and fdatasync'd before they resolve, a torn last line left by
 * a crash is cut off on open, and checkpoints are monotonic. It is single-writer (one process).
 */
import { mkdir, open, readFile, rename, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { HashAlgorithm } from '../crypto/index.ts';
import { AuditError } from './errors.ts';
import { EXPORT_FILES, formatCheckpointLine, formatManifest, manifestSchema, parseCheckpointLine, type ExportManifest } from './export-format.ts';
import type { AuditSearch, AuditStore, LogHead, StoredCheckpoint, StoredEntry } from './store.ts';
import { TreeHasher } from './tree-hash.ts';

const PAGE_BYTES = 1 << 20;
const NEWLINE = 0x0a;

export interface ExportStoreOptions {
  readonly origin: string;
  readonly hashAlgorithm?: HashAlgorithm;
}

export interface ExportStore extends AuditStore {
  readonly dir: string;
  readonly manifest: ExportManifest;
  /** Writes pubkeys.txt (note verifier keys, one per line), atomically. */
  writePublicKeys(vkeys: readonly string[]): Promise<void>;
  /** Copies already-sequenced entries in (export); indexes must continue the log. One fsync at the end. */
  importEntries(pages: AsyncIterable<readonly StoredEntry[]>): Promise<void>;
  /** Copies checkpoints in (export), skipping any not larger than the latest. One fsync at the end. */
  importCheckpoints(checkpoints: Iterable<StoredCheckpoint>): Promise<number>;
  close(): Promise<void>;
}

/** Growable offsets of line starts; offsets[size] is the file length. */
class Offsets {
  private buf = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.buf.length) {
      const bigger = new Float64Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.length++] = v;
  }
  at(i: number): number {
    return this.buf[i]!;
  }
}

/** Splits a file into complete lines; returns line-start offsets and the end of the last complete line. */
async function scanLines(fh: FileHandle, offsets: Offsets): Promise<number> {
  const buf = Buffer.allocUnsafe(PAGE_BYTES);
  let pos = 0;
  let lineStart = 0;
  offsets.push(0);
  for (;;) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) break;
    let i = buf.indexOf(NEWLINE, 0);
    while (i !== -1 && i < bytesRead) {
      lineStart = pos + i + 1;
      offsets.push(lineStart);
      i = buf.indexOf(NEWLINE, i + 1);
    }
    pos += bytesRead;
  }
  return lineStart;
}

function entryMeta(data: string): Pick<StoredEntry, 'time' | 'kind' | 'actor' | 'decision'> {
  const e = JSON.parse(data) as { time?: unknown; kind?: unknown; actor?: unknown; decision?: unknown };
  return { time: String(e.time ?? ''), kind: String(e.kind ?? ''), actor: String(e.actor ?? ''), decision: typeof e.decision === 'string' ? e.decision : null };
}

function matches(e: StoredEntry, f: AuditSearch): boolean {
  return (
    (f.actor === undefined || e.actor === f.actor) &&
    (f.decision === undefined || e.decision === f.decision) &&
    (f.kind === undefined || e.kind === f.kind) &&
    (f.since === undefined || e.time >= f.since) &&
    (f.until === undefined || e.time <= f.until)
  );
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function readManifest(dir: string): Promise<ExportManifest | undefined> {
  try {
    return manifestSchema.parse(JSON.parse(await readFile(join(dir, EXPORT_FILES.manifest), 'utf8')));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AuditError('EXPORT_FORMAT', `${dir}: manifest.json is invalid`, { cause: err });
  }
}

/** Opens (creating if needed) a bundle directory as an AuditStore for one log. */
export async function createExportStore(dir: string, options: ExportStoreOptions): Promise<ExportStore> {
  const hashAlgorithm = options.hashAlgorithm ?? 'sha256';
  await mkdir(dir, { recursive: true });
  let manifest = await readManifest(dir);
  if (!manifest) {
    await writeFile(join(dir, EXPORT_FILES.manifest), formatManifest(options.origin, hashAlgorithm), { flag: 'wx' });
    manifest = (await readManifest(dir))!;
  }
  if (manifest.origin !== options.origin || manifest.hashAlgorithm !== hashAlgorithm) {
    throw new AuditError('CONFIG_MISMATCH', `${dir} holds log ${manifest.origin} (${manifest.hashAlgorithm}), not ${options.origin} (${hashAlgorithm})`);
  }
  const hasher = new TreeHasher(hashAlgorithm);
  const entriesFile = await open(join(dir, EXPORT_FILES.entries), 'a+');
  const checkpointsFile = await open(join(dir, EXPORT_FILES.checkpoints), 'a+');
  // The files may have just been created: make their directory entries durable before any append is.
  await syncDir(dir);

  const offsets = new Offsets();
  const end = await scanLines(entriesFile, offsets);
  // A torn last line was never acknowledged (its fsync did not finish): drop it.
  if ((await entriesFile.stat()).size !== end) await entriesFile.truncate(end);
  let size = offsets.length - 1;
  let lastLeafHash: Uint8Array | null = null;
  if (size > 0) {
    const len = end - offsets.at(size - 1) - 1;
    const last = Buffer.alloc(len);
    await entriesFile.read(last, 0, len, offsets.at(size - 1));
    lastLeafHash = hasher.leafHash(last);
  }

  const checkpointBytes = await readFile(join(dir, EXPORT_FILES.checkpoints));
  const cpEnd = checkpointBytes.lastIndexOf(NEWLINE) + 1;
  if (cpEnd !== checkpointBytes.length) await checkpointsFile.truncate(cpEnd);
  const cpLines = checkpointBytes.toString('utf8', 0, cpEnd).split('\n').filter((l) => l.length > 0);
  let latest: StoredCheckpoint | null = cpLines.length > 0 ? parseCheckpointLine(cpLines[cpLines.length - 1]!) : null;

  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(() => {
      if (closed) throw new AuditError('CLOSED', 'export store is closed');
      return fn();
    });
    queue = run.catch(() => undefined);
    return run;
  };

  async function writeLines(entries: readonly StoredEntry[], sync: boolean): Promise<void> {
    const before = offsets.at(size);
    const parts: Buffer[] = [];
    const starts: number[] = [];
    let pos = before;
    entries.forEach((e, i) => {
      if (e.index !== size + i) throw new AuditError('STORE_CONFLICT', `entry ${e.index} does not follow ${size + i - 1}`);
      if (e.data.length === 0 || e.data.includes('\n')) throw new AuditError('APPEND_FAILED', `entry ${e.index} is not a single line`);
      const line = Buffer.from(`${e.data}\n`, 'utf8');
      parts.push(line);
      pos += line.length;
      starts.push(pos);
    });
    try {
      await entriesFile.write(Buffer.concat(parts), 0, undefined, before);
      if (sync) await entriesFile.datasync();
    } catch (err) {
      await entriesFile.truncate(before).catch(() => undefined);
      throw new AuditError('APPEND_FAILED', 'could not write audit entries', { cause: err });
    }
    for (const s of starts) offsets.push(s);
    size += entries.length;
    if (entries.length > 0) lastLeafHash = entries[entries.length - 1]!.leafHash;
  }

  async function* readRange(from: number, to: number): AsyncGenerator<{ buf: Buffer; first: number; count: number; base: number }> {
    if (!(Number.isSafeInteger(from) && Number.isSafeInteger(to) && 0 <= from && from <= to && to <= size)) {
      throw new RangeError(`range [${from}, ${to}) is outside the log of ${size}`);
    }
    let i = from;
    while (i < to) {
      let j = i + 1;
      while (j < to && offsets.at(j + 1) - offsets.at(i) <= PAGE_BYTES) j++;
      const base = offsets.at(i);
      const buf = Buffer.alloc(offsets.at(j) - base);
      await entriesFile.read(buf, 0, buf.length, base);
      yield { buf, first: i, count: j - i, base };
      i = j;
    }
  }

  const store: ExportStore = {
    dir,
    manifest,
    append: (build) =>
      serial(async () => {
        const head: LogHead = { size, lastLeafHash };
        await writeLines(build(head), true);
        return head;
      }),
    head: async () => ({ size, lastLeafHash }),
    async *readEntries(from, to) {
      for await (const { buf, first, count, base } of readRange(from, to)) {
        const page: StoredEntry[] = [];
        for (let k = first; k < first + count; k++) {
          const a = offsets.at(k) - base;
          const b = offsets.at(k + 1) - base - 1;
          const data = buf.toString('utf8', a, b);
          page.push({ index: k, data, leafHash: hasher.leafHash(buf.subarray(a, b)), ...entryMeta(data) });
        }
        yield page;
      }
    },
    async *readLeafHashes(from, to) {
      for await (const { buf, first, count, base } of readRange(from, to)) {
        const out = new Uint8Array(count * hasher.hashLength);
        for (let k = 0; k < count; k++) {
          const a = offsets.at(first + k) - base;
          out.set(hasher.leafHash(buf.subarray(a, offsets.at(first + k + 1) - base - 1)), k * hasher.hashLength);
        }
        yield out;
      }
    },
    async *searchEntries(filter) {
      let left = filter.limit ?? Number.POSITIVE_INFINITY;
      for await (const page of store.readEntries(0, size)) {
        const hits = page.filter((e) => matches(e, filter)).slice(0, left);
        left -= hits.length;
        if (hits.length > 0) yield hits;
        if (left <= 0) return;
      }
    },
    addCheckpoint: (cp) =>
      serial(async () => {
        if ((latest && cp.size <= latest.size) || cp.size > size) return false;
        await checkpointsFile.write(formatCheckpointLine(cp));
        await checkpointsFile.datasync();
        latest = cp;
        return true;
      }),
    latestCheckpoint: async () => latest,
    async *listCheckpoints() {
      const text = await readFile(join(dir, EXPORT_FILES.checkpoints), 'utf8');
      const lines = text.split('\n').filter((l) => l.length > 0);
      for (let i = 0; i < lines.length; i += 256) yield lines.slice(i, i + 256).map(parseCheckpointLine);
    },
    writePublicKeys: async (vkeys) => {
      const tmp = join(dir, `.${EXPORT_FILES.pubkeys}.tmp`);
      await writeFile(tmp, vkeys.map((k) => `${k}\n`).join(''));
      await rename(tmp, join(dir, EXPORT_FILES.pubkeys));
      await syncDir(dir);
    },
    importEntries: (pages) =>
      serial(async () => {
        for await (const page of pages) await writeLines(page, false);
        await entriesFile.datasync();
      }),
    importCheckpoints: (checkpoints) =>
      serial(async () => {
        let count = 0;
        let text = '';
        for (const cp of checkpoints) {
          if ((latest && cp.size <= latest.size) || cp.size > size) continue;
          text += formatCheckpointLine(cp);
          latest = cp;
          count += 1;
          if (text.length > PAGE_BYTES) {
            await checkpointsFile.write(text);
            text = '';
          }
        }
        if (text.length > 0) await checkpointsFile.write(text);
        await checkpointsFile.datasync();
        return count;
      }),
    close: () =>
      serial(async () => {
        closed = true;
        await entriesFile.close();
        await checkpointsFile.close();
      }),
  };
  return store;
}

/** True if `dir` exists and holds an export manifest. */
export async function isExportDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(join(dir, EXPORT_FILES.manifest))).isFile();
  } catch {
    return false;
  }
}
