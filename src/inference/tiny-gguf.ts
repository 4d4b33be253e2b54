/** Writes a tiny llama-architecture GGUF v3 file with seeded random f32 weights: a real model for tests. */
import { writeFile } from 'node:fs/promises';

/** GGUF spec (ggml/docs/gguf.md): magic "GGUF" read as a little-endian u32. */
const GGUF_MAGIC = 0x46554747;
const GGUF_VERSION = 3;
/** `general.alignment` default: tensor data and the data section start on multiples of this. */
const GGUF_DEFAULT_ALIGNMENT = 32;

/** GGUF metadata value type codes (gguf.md, `gguf_metadata_value_type`). */
const GGUF_TYPE = { UINT32: 4, INT32: 5, FLOAT32: 6, STRING: 8, ARRAY: 9 } as const;
/** ggml tensor type code for 32-bit floats. */
const GGML_TYPE_F32 = 0;
/** llama.cpp `llama_token_type`: normal, unknown, control, byte. */
const TOKEN_TYPE = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, BYTE: 6 } as const;

export interface TinyGgufOptions {
  /** Seed for the weights; the same seed gives the same file byte for byte. */
  seed?: number;
  nEmbd?: number;
  nLayer?: number;
  nHead?: number;
  nFf?: number;
  contextLength?: number;
  /** Full metadata keys to leave out (e.g. `llama.feed_forward_length`), for negative tests. */
  omit?: string[];
}

type MetaValue =
  | { type: 'u32'; value: number }
  | { type: 'f32'; value: number }
  | { type: 'string'; value: string }
  | { type: 'string[]'; value: string[] }
  | { type: 'f32[]'; value: number[] }
  | { type: 'i32[]'; value: number[] };

interface Tensor {
  name: string;
  /** Fastest-varying dimension first, as GGUF stores them. */
  dims: number[];
  /**
   * 'norm': all ones (an RMS norm that leaves its input alone). 'embedding': random, but the rows of
   * the control tokens are zero, so with tied output weights their logit is always 0 while the best of
   * 351 random logits is positive: greedy decoding never ends on `</s>` and runs to `max_tokens`.
   */
  init: 'norm' | 'embedding' | 'random';
}

/** `<unk>`, `<s>` and `</s>` open the vocabulary. */
const CONTROL_TOKEN_COUNT = 3;

/** `<unk>`, `<s>`, `</s>`, the 256 byte fallback tokens, `▁` and printable ASCII except space. */
export function buildTinyVocabulary(): { tokens: string[]; types: number[] } {
  const tokens = ['<unk>', '<s>', '</s>'];
  const types: number[] = [TOKEN_TYPE.UNKNOWN, TOKEN_TYPE.CONTROL, TOKEN_TYPE.CONTROL];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(TOKEN_TYPE.BYTE);
  }
  // SentencePiece writes a space as U+2581; the plain space is left to byte fallback.
  tokens.push('\u2581');
  types.push(TOKEN_TYPE.NORMAL);
  for (let c = 0x21; c <= 0x7e; c++) {
    tokens.push(String.fromCharCode(c));
    types.push(TOKEN_TYPE.NORMAL);
  }
  return { tokens, types };
}

/** mulberry32: a small, well-mixed 32-bit PRNG; reproducible weights need no cryptographic strength. */
function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}

/** Little-endian byte sink that grows as it is written. */
class ByteWriter {
  private buf = Buffer.alloc(1 << 16);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  u32(v: number): void { this.reserve(4); this.buf.writeUInt32LE(v, this.length); this.length += 4; }
  i32(v: number): void { this.reserve(4); this.buf.writeInt32LE(v, this.length); this.length += 4; }
  u64(v: number): void { this.reserve(8); this.buf.writeBigUInt64LE(BigInt(v), this.length); this.length += 8; }
  f32(v: number): void { this.reserve(4); this.buf.writeFloatLE(v, this.length); this.length += 4; }
  string(s: string): void {
    const bytes = Buffer.from(s, 'utf8');
    this.u64(bytes.length);
    this.reserve(bytes.length);
    bytes.copy(this.buf, this.length);
    this.length += bytes.length;
  }
  padTo(alignment: number): void {
    const target = alignUp(this.length, alignment);
    this.reserve(target - this.length);
    this.buf.fill(0, this.length, target);
    this.length = target;
  }
  bytes(): Buffer { return this.buf.subarray(0, this.length); }
}

function writeMeta(w: ByteWriter, key: string, v: MetaValue): void {
  w.string(key);
  switch (v.type) {
    case 'u32': w.u32(GGUF_TYPE.UINT32); w.u32(v.value); break;
    case 'f32': w.u32(GGUF_TYPE.FLOAT32); w.f32(v.value); break;
    case 'string': w.u32(GGUF_TYPE.STRING); w.string(v.value); break;
    case 'string[]':
      w.u32(GGUF_TYPE.ARRAY); w.u32(GGUF_TYPE.STRING); w.u64(v.value.length);
      for (const s of v.value) w.string(s);
      break;
    case 'f32[]':
      w.u32(GGUF_TYPE.ARRAY); w.u32(GGUF_TYPE.FLOAT32); w.u64(v.value.length);
      for (const x of v.value) w.f32(x);
      break;
    case 'i32[]':
      w.u32(GGUF_TYPE.ARRAY); w.u32(GGUF_TYPE.INT32); w.u64(v.value.length);
      for (const x of v.value) w.i32(x);
      break;
  }
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  return v;
}

/**
 * Builds the bytes of a tiny GGUF model (about 140 KB with the defaults).
 * @example const bytes = buildTinyGguf({ seed: 7 });
 */
export function buildTinyGguf(options: TinyGgufOptions = {}): Buffer {
  const nEmbd = positiveInt('nEmbd', options.nEmbd ?? 32);
  const nLayer = positiveInt('nLayer', options.nLayer ?? 2);
  const nHead = positiveInt('nHead', options.nHead ?? 2);
  const nFf = positiveInt('nFf', options.nFf ?? 64);
  const contextLength = positiveInt('contextLength', options.contextLength ?? 2048);
  if (nEmbd % nHead !== 0) throw new RangeError(`nEmbd (${nEmbd}) must be a multiple of nHead (${nHead})`);
  const headDim = nEmbd / nHead;
  const { tokens, types } = buildTinyVocabulary();
  const nVocab = tokens.length;

  const meta: Array<[string, MetaValue]> = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: 'enclave-tiny' }],
    ['general.alignment', { type: 'u32', value: GGUF_DEFAULT_ALIGNMENT }],
    ['general.file_type', { type: 'u32', value: 0 }],
    ['llama.context_length', { type: 'u32', value: contextLength }],
    ['llama.embedding_length', { type: 'u32', value: nEmbd }],
    ['llama.block_count', { type: 'u32', value: nLayer }],
    ['llama.feed_forward_length', { type: 'u32', value: nFf }],
    ['llama.attention.head_count', { type: 'u32', value: nHead }],
    ['llama.attention.head_count_kv', { type: 'u32', value: nHead }],
    ['llama.rope.dimension_count', { type: 'u32', value: headDim }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: 1e-5 }],
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'string[]', value: tokens }],
    ['tokenizer.ggml.scores', { type: 'f32[]', value: tokens.map(() => 0) }],
    ['tokenizer.ggml.token_type', { type: 'i32[]', value: types }],
    ['tokenizer.ggml.unknown_token_id', { type: 'u32', value: 0 }],
    ['tokenizer.ggml.bos_token_id', { type: 'u32', value: 1 }],
    ['tokenizer.ggml.eos_token_id', { type: 'u32', value: 2 }],
  ];
  const omit = new Set(options.omit ?? []);
  const kept = meta.filter(([key]) => !omit.has(key));

  const tensors: Tensor[] = [
    { name: 'token_embd.weight', dims: [nEmbd, nVocab], init: 'embedding' },
    { name: 'output_norm.weight', dims: [nEmbd], init: 'norm' },
  ];
  for (let i = 0; i < nLayer; i++) {
    tensors.push(
      { name: `blk.${i}.attn_norm.weight`, dims: [nEmbd], init: 'norm' },
      { name: `blk.${i}.attn_q.weight`, dims: [nEmbd, nEmbd], init: 'random' },
      { name: `blk.${i}.attn_k.weight`, dims: [nEmbd, headDim * nHead], init: 'random' },
      { name: `blk.${i}.attn_v.weight`, dims: [nEmbd, headDim * nHead], init: 'random' },
      { name: `blk.${i}.attn_output.weight`, dims: [nEmbd, nEmbd], init: 'random' },
      { name: `blk.${i}.ffn_norm.weight`, dims: [nEmbd], init: 'norm' },
      { name: `blk.${i}.ffn_gate.weight`, dims: [nEmbd, nFf], init: 'random' },
      { name: `blk.${i}.ffn_up.weight`, dims: [nEmbd, nFf], init: 'random' },
      { name: `blk.${i}.ffn_down.weight`, dims: [nFf, nEmbd], init: 'random' },
    );
  }

  const w = new ByteWriter();
  w.u32(GGUF_MAGIC);
  w.u32(GGUF_VERSION);
  w.u64(tensors.length);
  w.u64(kept.length);
  for (const [key, value] of kept) writeMeta(w, key, value);

  // Tensor offsets are relative to the data section and each is aligned.
  let offset = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    offsets.push(offset);
    offset = alignUp(offset + 4 * t.dims.reduce((a, b) => a * b, 1), GGUF_DEFAULT_ALIGNMENT);
  }
  tensors.forEach((t, i) => {
    w.string(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(GGML_TYPE_F32);
    w.u64(offsets[i] ?? 0);
  });
  w.padTo(GGUF_DEFAULT_ALIGNMENT);

  const rng = createRng(options.seed ?? 1);
  for (const t of tensors) {
    const n = t.dims.reduce((a, b) => a * b, 1);
    const zeroBelow = t.init === 'embedding' ? CONTROL_TOKEN_COUNT * nEmbd : 0;
    for (let k = 0; k < n; k++) {
      const r = rng() - 0.5;
      w.f32(t.init === 'norm' ? 1 : k < zeroBelow ? 0 : r);
    }
    w.padTo(GGUF_DEFAULT_ALIGNMENT);
  }
  return w.bytes();
}

/**
 * Writes a tiny random-weights llama GGUF to `path` (see {@link buildTinyGguf}).
 * @example await writeTinyGguf('/tmp/tiny.gguf', { seed: 7, omit: ['llama.feed_forward_length'] });
 */
export async function writeTinyGguf(path: string, options: TinyGgufOptions = {}): Promise<void> {
  await writeFile(path, buildTinyGguf(options));
}
