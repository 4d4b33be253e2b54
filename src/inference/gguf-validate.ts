/** Checks a GGUF file's header before llama.cpp sees it: some missing keys abort the whole process there. */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readGgufFileInfo, type GgufFileInfo } from 'node-llama-cpp';
import { InferenceError } from './errors.ts';

/** What a valid file declares, for logs and `enclave model` output. */
export interface GgufSummary {
  path: string;
  architecture: string;
  contextLength: number;
  embeddingLength: number;
  blockCount: number;
  vocabularySize: number;
  tensorCount: number;
}

/**
 * Keys llama.cpp's loader needs, after the architecture prefix. A file without
 * `feed_forward_length` or `attention.head_count` aborts inside llama.cpp (measured with 3.22.1),
 * taking the gateway down with it, so they are checked here, before any native code runs.
 */
export const GGUF_REQUIRED_ARCH_KEYS = [
  'context_length',
  'embedding_length',
  'block_count',
  'feed_forward_length',
  'attention.head_count',
] as const;

type Lookup = (key: string) => unknown;

function invalid(path: string, why: string, cause?: unknown): InferenceError {
  return new InferenceError('MODEL_INVALID', `GGUF model ${path}: ${why}`, cause === undefined ? undefined : { cause });
}

/** Metadata is a hostile input: every value is checked for type and range, not only presence. */
function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
}

/** Per-layer values (some architectures store an array with one entry per block) or one number. */
function isPerLayerCount(v: unknown, blockCount: number): boolean {
  if (isPositiveInt(v)) return true;
  return Array.isArray(v) && v.length === blockCount && v.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)
    && v.some((x) => x > 0);
}

/** readGgufFileInfo nests dotted keys (`llama.attention.head_count`) into objects. */
function createLookup(metadata: unknown): Lookup {
  return (key) => {
    let node: unknown = metadata;
    for (const part of key.split('.')) {
      if (node === null || typeof node !== 'object') return undefined;
      node = (node as Record<string, unknown>)[part];
    }
    return node;
  };
}

/** Checks the parsed header; returns the summary or throws MODEL_INVALID naming the first bad key. */
export function checkGgufInfo(path: string, info: GgufFileInfo): GgufSummary {
  const get = createLookup(info.metadata);
  const architecture = get('general.architecture');
  if (typeof architecture !== 'string' || !/^[a-z0-9_-]{1,64}$/i.test(architecture)) {
    throw invalid(path, 'missing or malformed metadata key general.architecture');
  }
  for (const suffix of GGUF_REQUIRED_ARCH_KEYS) {
    if (get(`${architecture}.${suffix}`) === undefined) throw invalid(path, `missing metadata key ${architecture}.${suffix}`);
  }
  const [contextLength, embeddingLength, blockCount] = (['context_length', 'embedding_length', 'block_count'] as const)
    .map((suffix) => {
      const v = get(`${architecture}.${suffix}`);
      if (!isPositiveInt(v)) throw invalid(path, `metadata key ${architecture}.${suffix} must be a positive integer`);
      return v;
    }) as [number, number, number];
  for (const suffix of ['feed_forward_length', 'attention.head_count'] as const) {
    if (!isPerLayerCount(get(`${architecture}.${suffix}`), blockCount)) {
      throw invalid(path, `metadata key ${architecture}.${suffix} must be a positive integer or one count per block`);
    }
  }
  const tokens = get('tokenizer.ggml.tokens');
  if (tokens === undefined) throw invalid(path, 'missing metadata key tokenizer.ggml.tokens');
  if (!Array.isArray(tokens) || tokens.length === 0 || !tokens.every((t) => typeof t === 'string')) {
    throw invalid(path, 'metadata key tokenizer.ggml.tokens must be a non-empty list of strings');
  }
  if (typeof get('tokenizer.ggml.model') !== 'string') throw invalid(path, 'missing metadata key tokenizer.ggml.model');
  const tensorCount = Number(info.totalTensorCount);
  if (!Number.isSafeInteger(tensorCount) || tensorCount < 1) throw invalid(path, 'the file declares no tensors');
  return { path, architecture, contextLength, embeddingLength, blockCount, vocabularySize: tokens.length, tensorCount };
}

/**
 * Reads a local GGUF file's header (never its weights) and checks the metadata llama.cpp requires.
 * Only filesystem paths are accepted: node-llama-cpp would otherwise fetch a URL, and Enclave has no egress.
 * @throws InferenceError MODEL_INVALID, naming the missing or malformed key.
 * @example const summary = await validateGgufFile('/models/llama-3.1-8b.Q4_K_M.gguf');
 */
export async function validateGgufFile(modelPath: string): Promise<GgufSummary> {
  if (/^[a-z][a-z0-9+.-]*:/i.test(modelPath)) {
    throw invalid(modelPath, 'only local file paths are accepted, not URIs');
  }
  const path = resolve(modelPath);
  const st = await stat(path).catch((err: unknown) => { throw invalid(path, 'cannot be read', err); });
  if (!st.isFile()) throw invalid(path, 'is not a regular file');
  let info: GgufFileInfo;
  try {
    info = await readGgufFileInfo(path, { sourceType: 'filesystem', logWarnings: false, spliceSplitFiles: true });
  } catch (err) {
    throw invalid(path, `not a readable GGUF file (${err instanceof Error ? err.message : String(err)})`, err);
  }
  // The reader pads a short file with zeros instead of failing, so a cut header parses as garbage.
  if (info.infoEndOffset === undefined || info.infoEndOffset > st.size) {
    throw invalid(path, 'not a readable GGUF file (the header runs past the end of the file)');
  }
  return checkGgufInfo(path, info);
}
