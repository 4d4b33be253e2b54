/** `enclave corpus ingest|list|remove`: the classified corpus that retrieval searches. */
import cliProgress from 'cli-progress';
import {
    ingestPaths, type CorpusStore, type IngestReport,
} from '../../retrieval/index.ts';
import { loadConfig } from '../../server/index.ts';
import { openStore } from '../../store/index.ts';
import { configPath, parseFlags, UsageError } from '../args.ts';
import type { CliCommand, CliIO } from '../io.ts';

const USAGE = `usage:
  enclave corpus ingest PATH... [--config F]   ingest .md, .txt and .jsonl files and folders; a document
                                               with an id already stored is replaced
  enclave corpus list [--config F]             every stored document (for administrators: unfiltered)
  enclave corpus remove ID [--config F]
A file with any problem (a paragraph without a portion mark, a banner that does not match) stores
nothing and is reported as FILE:LINE; ingest then exits 1.
`;

async function withCorpus<T>(config: string | undefined, fn: (corpus: CorpusStore) => Promise<T>): Promise<T> {
  const cfg = loadConfig(configPath(config));
  const store = await openStore(cfg.store);
  try {
    return await fn(store.corpus);
  } finally {
    await store.close();
  }
}

/** A bar only on the real terminal: tests and pipes get the summary line alone. */
function progressBar(io: CliIO): cliProgress.SingleBar | undefined {
  if (io.stdin !== process.stdin || !process.stderr.isTTY) return undefined;
  return new cliProgress.SingleBar({
    stream: process.stderr, hideCursor: true, clearOnComplete: true,
    format: 'ingesting [{bar}] {value}/{total} files | {portions} portions | {file}',
  }, cliProgress.Presets.shades_classic);
}

function summary(r: IngestReport): string {
  const rejected = r.filesRejected > 0 ? `; ${r.filesRejected} file${r.filesRejected === 1 ? '' : 's'} rejected` : '';
  const rate = r.elapsedMs > 0 ? `, ${Math.round(r.portions / (r.elapsedMs / 1000))} portions/s` : '';
  return `ingested ${r.documents} document${r.documents === 1 ? '' : 's'} (${r.portions} portions, ${r.chunks} chunks) from ${r.files - r.filesRejected} of ${r.files} files in ${(r.elapsedMs / 1000).toFixed(1)} s${rate}${rejected}\n`;
}

async function ingest(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, { config: { type: 'string' } });
  if (positionals.length === 0) throw new UsageError('corpus ingest needs at least one PATH');
  return withCorpus(values.config, async (corpus) => {
    const bar = progressBar(io);
    let started = false;
    const report = await ingestPaths(corpus, positionals, {
      onProgress: (p) => {
        if (!bar) return;
        if (!started) { bar.start(p.filesTotal, 0, { portions: 0, file: '' }); started = true; }
        bar.update(p.filesDone, { portions: p.portions, file: p.file.length > 40 ? `…${p.file.slice(-39)}` : p.file });
      },
    });
    bar?.stop();
    for (const p of report.problems) io.stderr(`enclave corpus: ${p.file}${p.line > 0 ? `:${p.line}` : ''}: ${p.message}\n`);
    io.stderr(summary(report));
    return report.filesRejected > 0 ? 1 : 0;
  });
}

async function list(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, { config: { type: 'string' } });
  if (positionals.length > 0) throw new UsageError('corpus list takes no arguments');
  return withCorpus(values.config, async (corpus) => {
    const docs = await corpus.listDocuments();
    io.stdout(`${'ID'.padEnd(28)}${'BANNER'.padEnd(30)}${'PORTIONS'.padEnd(10)}${'INGESTED'.padEnd(26)}TITLE\n`);
    for (const d of docs) {
      io.stdout(`${d.id.padEnd(27)} ${d.banner.padEnd(29)} ${String(d.portions).padEnd(9)} ${d.ingestedAt.padEnd(25)} ${d.title}\n`);
    }
    return 0;
  });
}

async function remove(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, { config: { type: 'string' } });
  const id = positionals[0];
  if (!id || positionals.length > 1) throw new UsageError('corpus remove takes one document ID');
  return withCorpus(values.config, async (corpus) => {
    if (await corpus.removeDocument(id)) {
      io.stdout(`removed ${id}\n`);
      return 0;
    }
    io.stderr(`no document ${id}\n`);
    return 1;
  });
}

export const corpusCommand: CliCommand = async (argv, io) => {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'ingest': return ingest(rest, io);
    case 'list': return list(rest, io);
    case 'remove': return remove(rest, io);
    default:
      io.stderr(USAGE);
      return 2;
  }
};
