/** The linear classifier: softmax over hashed features, scored on the whole text and on word windows. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { FeatureSet } from './features.ts';
import { GUARD_CATEGORIES, GuardError, RED_LINES } from './types.ts';

export const MODEL_FORMAT = 'enclave-guards-linear/1';
// scoreModel unrolls its hot loop for exactly these five classes.
const K: 5 = GUARD_CATEGORIES.length;

/** Weights in memory: row-major [bucket][class], so one feature touches K adjacent numbers. */
export interface LinearModel {
  bits: number;
  weights: Float32Array | Int8Array;
  /** Multiplier that turns a stored weight into a real one (1 for Float32 weights). */
  scale: number;
  bias: Float32Array;
  /** Long texts are also scored on windows of `window` words every `stride` words. */
  window: number;
  stride: number;
  thresholds: Record<(typeof RED_LINES)[number], number>;
  /** Hex SHA-256 of the weights file (checked at load); absent for a model built in memory. */
  sha256?: string;
}

export const ModelHeaderSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  bits: z.number().int().min(10).max(24),
  classes: z.array(z.string()).refine((c) => c.join() === GUARD_CATEGORIES.join(), 'classes out of order'),
  scale: z.number().positive(),
  bias: z.array(z.number()).length(K),
  window: z.number().int().min(8),
  stride: z.number().int().min(1),
  thresholds: z.object({
    mass_surveillance: z.number().min(0).max(1),
    use_of_force: z.number().min(0).max(1),
    wmd: z.number().min(0).max(1),
    prompt_injection: z.number().min(0).max(1),
  }),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  training: z.record(z.string(), z.unknown()).optional(),
});
export type ModelHeader = z.infer<typeof ModelHeaderSchema>;

/** Loads a model from its JSON header and Int8 weight file; checks the weights' digest. */
export function loadModelFiles(headerPath: string, weightsPath: string): LinearModel {
  let header: ModelHeader;
  let bytes: Buffer;
  try {
    header = ModelHeaderSchema.parse(JSON.parse(readFileSync(headerPath, 'utf8')));
    bytes = readFileSync(weightsPath);
  } catch (err) {
    throw new GuardError('GUARD_MODEL_INVALID', `cannot load guard model ${headerPath}`, { cause: err });
  }
  if (bytes.length !== (1 << header.bits) * K) {
    throw new GuardError('GUARD_MODEL_INVALID', `weights file has ${bytes.length} bytes, header says ${(1 << header.bits) * K}`);
  }
  if (createHash('sha256').update(bytes).digest('hex') !== header.sha256) {
    throw new GuardError('GUARD_MODEL_INVALID', 'weights file does not match the digest in its header');
  }
  return {
    bits: header.bits,
    weights: new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length),
    scale: header.scale,
    bias: Float32Array.from(header.bias),
    window: header.window,
    stride: header.stride,
    thresholds: header.thresholds,
    sha256: header.sha256,
  };
}

/** Per-class probability, maximised over the whole text and every window, and where it peaked. */
export interface ModelScore {
  probs: Float64Array;
  /** Token range [start, end) of the instance that gave each class its probability. */
  where: Array<[number, number]>;
}

/** Softmax of logits = bias + scale * sum(weights) / sqrt(count), in place. */
export function softmaxInto(out: Float64Array, bias: Float32Array, sums: Float64Array, at: number, count: number, scale: number): void {
  const norm = count > 0 ? scale / Math.sqrt(count) : 0;
  let max = -Infinity;
  for (let k = 0; k < K; k++) {
    const z = (bias[k] ?? 0) + (sums[at + k] ?? 0) * norm;
    out[k] = z;
    if (z > max) max = z;
  }
  let total = 0;
  for (let k = 0; k < K; k++) { const e = Math.exp((out[k] ?? 0) - max); out[k] = e; total += e; }
  for (let k = 0; k < K; k++) out[k] = (out[k] ?? 0) / total;
}

/** Window starts for a text of `tokens` words: none when the whole text fits in one window. */
export function windowStarts(tokens: number, window: number, stride: number): number[] {
  if (tokens <= window) return [];
  const starts: number[] = [];
  for (let s = 0; s + window < tokens + stride; s += stride) starts.push(s);
  return starts;
}

/**
 * Scores a feature set. Prefix sums over tokens make every window O(K), so a 500-word text costs
 * one pass over its features plus a few dozen softmaxes.
 */
let prefixScratch = new Float64Array(1024);

export function scoreModel(model: LinearModel, fs: FeatureSet): ModelScore {
  const T = fs.tokenStart.length - 1;
  // Scratch reused across calls (classification is synchronous); every cell read is written first.
  if (prefixScratch.length < (T + 1) * K) prefixScratch = new Float64Array((T + 1) * K * 2);
  const prefix = prefixScratch;
  prefix.fill(0, 0, K);
  const { weights } = model;
  const { buckets, tokenStart } = fs;
  // Hot loop: bucket indices are masked to the table size when extracted, so every read is in
  // bounds; the non-null assertions only satisfy noUncheckedIndexedAccess.
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0;
  for (let t = 0; t < T; t++) {
    const end = tokenStart[t + 1]!;
    for (let i = tokenStart[t]!; i < end; i++) {
      const w = buckets[i]! * K;
      s0 += weights[w]!; s1 += weights[w + 1]!; s2 += weights[w + 2]!; s3 += weights[w + 3]!; s4 += weights[w + 4]!;
    }
    const row = (t + 1) * K;
    prefix[row] = s0; prefix[row + 1] = s1; prefix[row + 2] = s2; prefix[row + 3] = s3; prefix[row + 4] = s4;
  }
  const probs = new Float64Array(K);
  const where: Array<[number, number]> = GUARD_CATEGORIES.map(() => [0, T]);
  const p = new Float64Array(K);
  const sums = new Float64Array(K);
  const consider = (s: number, e: number): void => {
    for (let k = 0; k < K; k++) sums[k] = prefix[e * K + k]! - prefix[s * K + k]!;
    softmaxInto(p, model.bias, sums, 0, tokenStart[e]! - tokenStart[s]!, model.scale);
    for (let k = 0; k < K; k++) if (p[k]! > probs[k]!) { probs[k] = p[k]!; where[k] = [s, e]; }
  };
  consider(0, T);
  for (const s of windowStarts(T, model.window, model.stride)) consider(s, Math.min(T, s + model.window));
  return { probs, where };
}
