/** Trains the linear classifier: softmax regression with AdaGrad, deterministic for a given seed. */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tokenize } from './concepts.ts';
import { extractFeatures, type FeatureSet } from './features.ts';
import { MODEL_FORMAT, softmaxInto, windowStarts, type LinearModel, type ModelHeader } from './model.ts';
import { normaliseText } from './normalise.ts';
import { RULE_SET } from './rules.ts';
import { GUARD_CATEGORIES, type GuardCategory } from './types.ts';

const K = GUARD_CATEGORIES.length;

export interface TrainExample { text: string; label: GuardCategory; hardNegative?: boolean }

export interface TrainOptions {
  bits: number;
  epochs: number;
  learningRate: number;
  l2: number;
  seed: number;
  window: number;
  stride: number;
  /** Loss weight of a hard negative relative to an ordinary example. */
  hardNegativeWeight: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  bits: 19, epochs: 12, learningRate: 0.2, l2: 1e-6, seed: 20240611, window: 16, stride: 4, hardNegativeWeight: 1.5,
};

/** One trainable slice: a feature range of one view. */
interface Instance { fs: FeatureSet; from: number; to: number }
interface Prepared { label: number; weight: number; whole: Instance; candidates: Instance[] }

/** mulberry32: a small seeded PRNG so a training run is reproducible bit for bit. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function prepare(ex: TrainExample, o: TrainOptions): Prepared {
  const views = normaliseText(ex.text).views;
  const candidates: Instance[] = [];
  let whole: Instance | null = null;
  for (const [i, v] of views.entries()) {
    const tokens = tokenize(v.text);
    const fs = extractFeatures(tokens, o.bits, RULE_SET.concepts(tokens));
    const T = fs.tokenStart.length - 1;
    const inst = { fs, from: 0, to: T };
    if (i === 0) whole = inst;
    candidates.push(inst);
    for (const s of windowStarts(T, o.window, o.stride)) candidates.push({ fs, from: s, to: Math.min(T, s + o.window) });
  }
  const label = GUARD_CATEGORIES.indexOf(ex.label);
  const hasPayload = views.length > 1;
  return {
    label,
    weight: ex.hardNegative ? o.hardNegativeWeight : 1,
    // An encoded positive's outer text is noise; only its decoded view carries the label.
    whole: hasPayload && label > 0 ? (candidates[candidates.length - 1] as Instance) : (whole as Instance),
    candidates,
  };
}

/** Float model under training, plus AdaGrad's squared-gradient sums. */
class Trainer {
  readonly w: Float32Array;
  readonly g2: Float32Array;
  readonly bias = new Float32Array(K);
  private readonly biasG2 = new Float32Array(K);
  private readonly sums = new Float64Array(K);
  readonly p = new Float64Array(K);

  constructor(readonly o: TrainOptions) {
    this.w = new Float32Array((1 << o.bits) * K);
    this.g2 = new Float32Array((1 << o.bits) * K);
  }

  predict(x: Instance): Float64Array {
    this.sums.fill(0);
    const start = x.fs.tokenStart[x.from] ?? 0;
    const end = x.fs.tokenStart[x.to] ?? 0;
    for (let i = start; i < end; i++) {
      const b = (x.fs.buckets[i] ?? 0) * K;
      for (let k = 0; k < K; k++) this.sums[k] = (this.sums[k] ?? 0) + (this.w[b + k] ?? 0);
    }
    softmaxInto(this.p, this.bias, this.sums, 0, end - start, 1);
    return this.p;
  }

  update(x: Instance, label: number, weight: number): void {
    const p = this.predict(x);
    const start = x.fs.tokenStart[x.from] ?? 0;
    const end = x.fs.tokenStart[x.to] ?? 0;
    const v = end > start ? 1 / Math.sqrt(end - start) : 0;
    const { learningRate: lr, l2 } = this.o;
    for (let k = 0; k < K; k++) {
      const gk = ((p[k] ?? 0) - (k === label ? 1 : 0)) * weight;
      const bg = (this.biasG2[k] ?? 0) + gk * gk;
      this.biasG2[k] = bg;
      this.bias[k] = (this.bias[k] ?? 0) - (lr * gk) / (Math.sqrt(bg) + 1e-8);
      if (gk === 0) continue;
      for (let i = start; i < end; i++) {
        const j = (x.fs.buckets[i] ?? 0) * K + k;
        const wj = this.w[j] ?? 0;
        const g = gk * v + l2 * wj;
        const acc = (this.g2[j] ?? 0) + g * g;
        this.g2[j] = acc;
        this.w[j] = wj - (lr * g) / (Math.sqrt(acc) + 1e-8);
      }
    }
  }
}

/** The candidate a multiple-instance update should use: best for a positive, worst for a negative. */
function pickCandidate(t: Trainer, ex: Prepared): Instance | null {
  let best: Instance | null = null;
  let bestScore = -1;
  for (const c of ex.candidates) {
    const p = t.predict(c);
    let s = 0;
    if (ex.label > 0) s = p[ex.label] ?? 0;
    else for (let k = 1; k < K; k++) s = Math.max(s, p[k] ?? 0);
    if (s > bestScore) { bestScore = s; best = c; }
  }
  return best === ex.whole ? null : best;
}

/**
 * Trains a float model. Each epoch visits examples in a seeded random order and updates on the
 * whole text and, for long or encoded texts, on the window that matters: the one that best shows
 * a positive's label, or the one that most looks like a red line in a negative.
 */
export function trainLinearModel(
  examples: readonly TrainExample[],
  options: Partial<TrainOptions> = {},
  onEpoch?: (epoch: number, loss: number) => void,
): LinearModel {
  const o = { ...DEFAULT_TRAIN_OPTIONS, ...options };
  const prepared = examples.map((e) => prepare(e, o));
  const t = new Trainer(o);
  const rand = seededRandom(o.seed);
  const order = prepared.map((_, i) => i);
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    let loss = 0;
    for (const idx of order) {
      const ex = prepared[idx] as Prepared;
      loss -= Math.log(Math.max(1e-12, t.predict(ex.whole)[ex.label] ?? 0));
      t.update(ex.whole, ex.label, ex.weight);
      const extra = ex.candidates.length > 1 ? pickCandidate(t, ex) : null;
      if (extra) t.update(extra, ex.label, ex.weight);
    }
    onEpoch?.(epoch + 1, loss / Math.max(1, prepared.length));
  }
  return {
    bits: o.bits, weights: t.w, scale: 1, bias: t.bias, window: o.window, stride: o.stride,
    thresholds: { mass_surveillance: 0.5, use_of_force: 0.5, wmd: 0.5, prompt_injection: 0.5 },
  };
}

/** Int8 weights with one scale; clipping at the 99.99th percentile keeps resolution for the rest. */
export function quantizeModel(model: LinearModel): LinearModel {
  const abs = Float32Array.from(model.weights, (x) => Math.abs(x * model.scale)).filter((x) => x > 0).sort();
  const clip = abs.length ? (abs[Math.min(abs.length - 1, Math.floor(abs.length * 0.9999))] ?? 1) : 1;
  const scale = clip / 127;
  const q = new Int8Array(model.weights.length);
  for (let i = 0; i < q.length; i++) q[i] = Math.max(-127, Math.min(127, Math.round(((model.weights[i] ?? 0) * model.scale) / scale)));
  return { ...model, weights: q, scale };
}

/** Writes weights.bin and weights.json (header with digest) into a directory. */
export function writeModelFiles(model: LinearModel, dir: string, training: Record<string, unknown>): ModelHeader {
  if (!(model.weights instanceof Int8Array)) throw new Error('quantize the model before writing it');
  const bytes = new Uint8Array(model.weights.buffer, model.weights.byteOffset, model.weights.byteLength);
  const header: ModelHeader = {
    format: MODEL_FORMAT,
    bits: model.bits,
    classes: [...GUARD_CATEGORIES],
    scale: model.scale,
    bias: Array.from(model.bias, (b) => Math.round(b * 1e6) / 1e6),
    window: model.window,
    stride: model.stride,
    thresholds: model.thresholds,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    training,
  };
  writeFileSync(join(dir, 'weights.bin'), bytes);
  writeFileSync(join(dir, 'weights.json'), `${JSON.stringify(header, null, 2)}\n`);
  return header;
}
