/** Ingests files and folders into the corpus: parse, check, chunk, store in batched transactions. */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { formatBanner } from '../markings/index.ts';
import type { CorpusDocumentInput, CorpusStore } from './corpus-store.ts';
import { RetrievalError } from './errors.ts';
import { labelColumns } from './label-columns.ts';
import { SUPPORTED_EXTENSIONS, parseDocument } from './parse-document.ts';
import type { IngestProblem, ParsedDocument } from './portion.ts';

/** Largest file read: a corpus file is text, and anything bigger is a mistake or an attack. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
/** Chunks stored per transaction: few commits (each one an fsync) without holding the write lock long. */
export const INGEST_BATCH_CHUNKS = 5_000;

export interface IngestProgress {
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly documents: number;
  readonly portions: number;
  /** The file just finished. */
  readonly file: string;
}

export interface IngestOptions {
  onProgress?: (progress: IngestProgress) => void;
  batchChunks?: number;
  signal?: AbortSignal;
}

export interface IngestReport {
  readonly files: number;
  readonly filesRejected: number;
  readonly documents: number;
  readonly portions: number;
  readonly chunks: number;
  readonly documentIds: readonly string[];
  /** Why files were rejected; `line` is 0 for a problem with the whole file (unreadable, too big). */
  readonly problems: readonly IngestProblem[];
  readonly elapsedMs: number;
}

/** A parsed document as the store takes it: labels as access columns. */
export function toDocumentInput(doc: ParsedDocument): CorpusDocumentInput {
  return {
    id: doc.id, title: doc.title, source: doc.source, banner: formatBanner(doc.banner), digest: doc.digest,
    portions: doc.portions.length,
    chunks: doc.portions.flatMap((p) => {
      const label = labelColumns(p.label);
      return p.chunks.map((c, i) => ({ portion: p.index, chunk: i + 1, text: c.text, label, usPersons: c.usPersons }));
    }),
  };
}

/** Store inputs for a file's documents; a label that cannot be stored becomes a problem of the file. */
function toInputs(file: string, docs: readonly ParsedDocument[], problems: IngestProblem[]): CorpusDocumentInput[] {
  try {
    return docs.map(toDocumentInput);
  } catch (err) {
    if (!(err instanceof RetrievalError)) throw err;
    problems.push({ file, line: 0, message: err.message });
    return [];
  }
}

/** Files under `paths` with a supported extension, folders walked in name order, hidden entries skipped. */
export async function listCorpusFiles(paths: readonly string[]): Promise<{ files: string[]; problems: IngestProblem[] }> {
  const files = new Set<string>();
  const problems: IngestProblem[] = [];
  const visited = new Set<string>();
  const supported = (p: string) => (SUPPORTED_EXTENSIONS as readonly string[]).includes(extname(p).toLowerCase());
  async function visit(path: string, explicit: boolean): Promise<void> {
    let info;
    try {
      info = await stat(path);
    } catch (err) {
      problems.push({ file: path, line: 0, message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? 'error'}` });
      return;
    }
    if (info.isDirectory()) {
      const real = await realpath(path);
      if (visited.has(real)) return;
      visited.add(real);
      const names = (await readdir(path)).filter((n) => !n.startsWith('.')).sort();
      for (const name of names) await visit(join(path, name), false);
    } else if (info.isFile() && supported(path)) {
      files.add(path);
    } else if (explicit) {
      problems.push({ file: path, line: 0, message: `not a corpus file (expected ${SUPPORTED_EXTENSIONS.join(', ')})` });
    }
  }
  for (const p of paths) await visit(p, true);
  return { files: [...files], problems };
}

async function readText(file: string): Promise<string | IngestProblem> {
  try {
    const info = await stat(file);
    if (info.size > MAX_FILE_BYTES) return { file, line: 0, message: `larger than ${MAX_FILE_BYTES} bytes` };
    const bytes = await readFile(file);
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return text;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (err instanceof TypeError && code === 'ERR_ENCODING_INVALID_ENCODED_DATA') return { file, line: 0, message: 'not valid UTF-8 text' };
    return { file, line: 0, message: `cannot read: ${code ?? 'error'}` };
  }
}

/**
 * Ingests files and folders. Each file is all or nothing: a file with any problem stores nothing
 * and its problems are reported; the others are stored, a document with an id already stored
 * replacing it atomically. Files are committed in batches of about `batchChunks` chunks.
 * @example const report = await ingestPaths(corpus, ['demo/corpus'], { onProgress: (p) => bar.update(p.filesDone) })
 */
export async function ingestPaths(corpus: CorpusStore, paths: readonly string[], options: IngestOptions = {}): Promise<IngestReport> {
  const started = performance.now();
  const batchChunks = options.batchChunks ?? INGEST_BATCH_CHUNKS;
  const { files, problems } = await listCorpusFiles(paths);
  const rejected = new Set(problems.map((p) => p.file));
  const owners = new Map<string, string>();
  const ids: string[] = [];
  let pending: CorpusDocumentInput[] = [];
  let pendingChunks = 0;
  let portions = 0;
  let chunks = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    await corpus.replaceDocuments(pending);
    pending = [];
    pendingChunks = 0;
  };

  for (const [i, file] of files.entries()) {
    options.signal?.throwIfAborted();
    const text = await readText(file);
    const parsed = typeof text === 'string' ? parseDocument(file, text) : { ok: false as const, problems: [text] };
    let fileProblems = parsed.ok ? [] : parsed.problems;
    let inputs: CorpusDocumentInput[] = [];
    if (parsed.ok) {
      const clash = parsed.documents.find((d) => owners.has(d.id));
      if (clash) fileProblems = [{ file, line: 0, message: `document id "${clash.id}" is also in ${owners.get(clash.id)} in this run` }];
      else inputs = toInputs(file, parsed.documents, fileProblems);
    }
    if (!parsed.ok || fileProblems.length > 0) {
      problems.push(...fileProblems);
      rejected.add(file);
    } else {
      for (const [n, doc] of parsed.documents.entries()) {
        const input = inputs[n]!;
        owners.set(doc.id, file);
        ids.push(doc.id);
        pending.push(input);
        pendingChunks += input.chunks.length;
        portions += doc.portions.length;
        chunks += input.chunks.length;
      }
      if (pendingChunks >= batchChunks) await flush();
    }
    options.onProgress?.({ filesDone: i + 1, filesTotal: files.length, documents: ids.length, portions, file });
  }
  await flush();
  return {
    files: new Set([...files, ...rejected]).size, filesRejected: rejected.size,
    documents: ids.length, portions, chunks, documentIds: ids, problems, elapsedMs: performance.now() - started,
  };
}
