/**
 * Retrieval benchmark: ingest rate (portions per second, parse + label + store) and the latency of
 * clearance-filtered retrieval at several corpus sizes, on SQLite in a temporary directory.
 * Synthetic portions follow a Zipf word distribution (function words, a domain vocabulary, then
 * a long tail of names) and a label mix from UNCLASSIFIED to TOP SECRET//SI/TK//NOFORN.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMarking, type Label } from '../markings/index.ts';
import { openSqliteStore } from '../store/index.ts';
import { createSqliteCorpusStore, type CorpusStore } from './corpus-store.ts';
import { toDocumentInput } from './ingest.ts';
import { parseDocument } from './parse-document.ts';
import type { ParsedDocument } from './portion.ts';
import { createRetriever, type PortionPolicy, type Retriever } from './retriever.ts';

const FUNCTION_WORDS = 'the of and to in a is that for on with as by at from was it be this are or which an were has have its not but'.split(' ');
const DOMAIN_WORDS = `
depot convoy fuel status logistics route bridge road supply ammunition vehicle truck escort sensor perimeter
imagery signals liaison partner brigade battalion company platoon unit command headquarters staff officer report
assessment threat reconnaissance observation patrol checkpoint border river ridge valley airfield runway helicopter
aircraft drone radar communications network relay antenna satellite intercept source agent network facility
warehouse storage revetment bunker shelter generator power water rations medical casualty evacuation hospital
engineer repair maintenance spare parts stock inventory shipment delivery schedule timeline delay weather winter
snow flood access closure reopening security guard fence camera alarm incident attack explosive device mine
clearance survey map grid coordinate location position movement deployment withdrawal reinforcement readiness
training exercise rehearsal plan order directive priority requirement capability gap shortfall estimate forecast
hostile enemy adversary militia insurgent smuggling trafficking cross border civilian population refugee camp
village town city district province region sector zone corridor junction tunnel pass harbour port ferry rail
station train cargo container crane fuel tanker pipeline pumping diesel petrol lubricant battery radio encryption
`.trim().split(/\s+/);
const SYLLABLES = ['ka', 'ro', 'mi', 'ten', 'sar', 'lo', 'vek', 'dor', 'an', 'is', 'ul', 'bre', 'gan', 'tor', 'ne', 'pi', 'qua', 'zu', 'fel', 'mar', 'os', 'lin'];
const TAIL_WORDS = 20_000;

/** Label mix, by share of portions: what a mixed operational corpus might hold. */
const LABEL_MIX: ReadonlyArray<[string, number]> = [
  ['(U)', 30], ['(U//FOUO)', 5], ['(C//REL TO USA, FVEY)', 5], ['(S//REL TO USA, GBR)', 12], ['(S//REL TO USA, FVEY)', 6],
  ['(S//NF)', 18], ['(S//OC/NF)', 2], ['(TS//NF)', 5], ['(TS//SI//NF)', 8], ['(TS//TK//NF)', 4], ['(TS//SI/TK//NF)', 3],
  ['(TS//HCS//NF)', 1], ['(S//SAR-BP//NF)', 1],
];

/** Who the benchmark retrieves as; `clearanceText` is the marking `clearance` was parsed from. */
export interface BenchPrincipal { name: string; clearance: Label; clearanceText: string; nationality: string }

const PRINCIPALS: ReadonlyArray<BenchPrincipal> = [
  { name: 'alice', clearance: parseMarking('TOP SECRET//SI/TK'), clearanceText: 'TOP SECRET//SI/TK', nationality: 'USA' },
  { name: 'sam', clearance: parseMarking('SECRET//NOFORN'), clearanceText: 'SECRET//NOFORN', nationality: 'USA' },
  { name: 'gwen', clearance: parseMarking('SECRET//REL TO USA, GBR'), clearanceText: 'SECRET//REL TO USA, GBR', nationality: 'GBR' },
  { name: 'uma', clearance: parseMarking('UNCLASSIFIED'), clearanceText: 'UNCLASSIFIED', nationality: 'USA' },
];

/** Deterministic generator (mulberry32), so runs are comparable. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Vocabulary {
  words: string[];
  pick(): string;
}

function buildVocabulary(rnd: () => number): Vocabulary {
  const tail: string[] = [];
  for (let i = 0; tail.length < TAIL_WORDS; i++) {
    let w = '';
    for (let n = 2 + (i % 3), x = i; n > 0; n--, x = Math.floor(x / SYLLABLES.length) + 7) w += SYLLABLES[x % SYLLABLES.length];
    tail.push(`${w}${String.fromCharCode(97 + (i % 26))}${i % 7 === 0 ? 'ia' : ''}`);
  }
  const words = [...FUNCTION_WORDS, ...DOMAIN_WORDS, ...tail];
  // Zipf, s = 1: the frequency of the word of rank r is proportional to 1 / r.
  const cdf: number[] = [];
  let total = 0;
  for (let r = 1; r <= words.length; r++) cdf.push((total += 1 / r));
  return {
    words,
    pick() {
      const x = rnd() * total;
      let lo = 0;
      let hi = cdf.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cdf[mid]! < x) lo = mid + 1;
        else hi = mid;
      }
      return words[lo]!;
    },
  };
}

function pickLabel(rnd: () => number): string {
  let x = rnd() * LABEL_MIX.reduce((s, [, w]) => s + w, 0);
  for (const [mark, w] of LABEL_MIX) if ((x -= w) < 0) return mark;
  return '(U)';
}

/** A synthetic portion-marked document of `portions` paragraphs. */
function syntheticDocument(id: number, portions: number, vocab: Vocabulary, rnd: () => number): string {
  const lines = [`---\nid: doc-${id}\ntitle: Synthetic report ${id}\n---`];
  for (let p = 0; p < portions; p++) {
    const words: string[] = [];
    for (let n = 25 + Math.floor(rnd() * 45); n > 0; n--) words.push(vocab.pick());
    const text = words.join(' ');
    lines.push(`${pickLabel(rnd)} ${text[0]!.toUpperCase()}${text.slice(1)}.`);
  }
  return lines.join('\n\n');
}

/** A specific question: one domain word and one or two names from the long tail. */
function specificQuestion(vocab: Vocabulary, rnd: () => number): string {
  const specific: string[] = [];
  for (let n = 1 + Math.floor(rnd() * 2); n > 0; n--) {
    // Log-uniform over the tail: specific names span rare to fairly common.
    specific.push(vocab.words[FUNCTION_WORDS.length + DOMAIN_WORDS.length + Math.floor(Math.exp(rnd() * Math.log(TAIL_WORDS))) - 1]!);
  }
  return `What is the ${domainWord(vocab, rnd)} of the ${specific.join(' ')}?`;
}

/** A broad question of common domain words only ("status of the fuel convoy depot"): the worst case. */
function broadQuestion(vocab: Vocabulary, rnd: () => number): string {
  const words = Array.from({ length: 2 + Math.floor(rnd() * 2) }, () => domainWord(vocab, rnd));
  return `What is the ${words.join(' ')}?`;
}

function domainWord(vocab: Vocabulary, rnd: () => number): string {
  return vocab.words[FUNCTION_WORDS.length + Math.floor(rnd() * DOMAIN_WORDS.length)]!;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/**
 * Latency of `count` retrievals (after 20 warm-up ones), the four demo principals in turn. With
 * `policyFor`, each retrieval gets a fresh policy, as each gateway request does.
 */
async function measureRetrieval(
  retriever: Retriever, question: () => string, count: number, policyFor?: (principal: BenchPrincipal) => PortionPolicy,
): Promise<Record<string, number>> {
  const signal = new AbortController().signal;
  const latencies: number[] = [];
  let returned = 0;
  for (let i = -20; i < count; i++) {
    const principal = PRINCIPALS[(i + 20) % PRINCIPALS.length]!;
    const messages = [{ role: 'user', content: question() }];
    const started = performance.now();
    const got = await retriever.retrieve(principal, messages, signal, policyFor?.(principal));
    if (i >= 0) { latencies.push(performance.now() - started); returned += got.length; }
  }
  latencies.sort((a, b) => a - b);
  return {
    queries: latencies.length, p50Ms: Number(percentile(latencies, 50).toFixed(2)), p99Ms: Number(percentile(latencies, 99).toFixed(2)),
    maxMs: Number(latencies[latencies.length - 1]!.toFixed(2)), meanResults: Number((returned / latencies.length).toFixed(2)),
  };
}

async function ingestSynthetic(corpus: CorpusStore, size: number, vocab: Vocabulary, rnd: () => number): Promise<number> {
  const perDocument = 20;
  let stored = 0;
  let timedMs = 0;
  for (let id = 0; stored < size; ) {
    const texts: string[] = [];
    for (let n = 0; n < 5_000 / perDocument && stored + texts.length * perDocument < size; n++) texts.push(syntheticDocument(id++, perDocument, vocab, rnd));
    const started = performance.now();
    const docs: ParsedDocument[] = [];
    for (const [i, text] of texts.entries()) {
      const parsed = parseDocument(`synthetic-${id - texts.length + i}.md`, text);
      if (!parsed.ok) throw new Error(`synthetic document rejected: ${parsed.problems[0]?.message}`);
      docs.push(...parsed.documents);
    }
    await corpus.replaceDocuments(docs.map(toDocumentInput));
    timedMs += performance.now() - started;
    stored += texts.length * perDocument;
  }
  return stored / (timedMs / 1000);
}

/**
 * Builds a corpus of each size in a temporary directory, measures ingest and `queries` retrievals
 * (top 5, the four demo principals in turn) of specific and of broad questions, and removes it.
 * With `policyFor` (the gateway's `retrieve` decisions), the questions are measured again under it.
 * @example await benchRetrieval({ sizes: [100_000, 1_000_000] })
 */
export async function benchRetrieval(opts: {
  sizes: number[]; queries?: number; maxCandidates?: number; log?: (line: string) => void; policyFor?: (principal: BenchPrincipal) => PortionPolicy;
}): Promise<Record<string, unknown>> {
  const results: Record<string, unknown> = {};
  for (const size of opts.sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'enclave-retrieval-bench-'));
    const store = openSqliteStore(join(dir, 'bench.db'));
    try {
      const rnd = random(size);
      const vocab = buildVocabulary(rnd);
      const corpus = createSqliteCorpusStore(store.db);
      const ingestRate = await ingestSynthetic(corpus, size, vocab, rnd);
      store.db.exec(`INSERT INTO corpus_fts(corpus_fts) VALUES ('optimize')`);
      store.db.pragma('wal_checkpoint(TRUNCATE)');
      const retriever = createRetriever(corpus, opts.maxCandidates ? { maxCandidates: opts.maxCandidates } : {});
      const count = opts.queries ?? 400;
      results[String(size)] = {
        portions: size,
        ingestPortionsPerSecond: Math.round(ingestRate),
        specificQuestions: await measureRetrieval(retriever, () => specificQuestion(vocab, rnd), count),
        broadQuestions: await measureRetrieval(retriever, () => broadQuestion(vocab, rnd), count),
        ...(opts.policyFor ? {
          specificQuestionsWithPolicy: await measureRetrieval(retriever, () => specificQuestion(vocab, rnd), count, opts.policyFor),
          broadQuestionsWithPolicy: await measureRetrieval(retriever, () => broadQuestion(vocab, rnd), count, opts.policyFor),
        } : {}),
        databaseMiB: Math.round(statSync(join(dir, 'bench.db')).size / 1_048_576),
      };
      opts.log?.(`${size} portions: ${JSON.stringify(results[String(size)])}`);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return results;
}
