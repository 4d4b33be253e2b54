/** Hashed features shared by the trainer and the runtime: word and stem 1-2-grams, stem skip-bigrams, char 3-5-grams, concepts. */
import type { ConceptHit, Tokens } from './concepts.ts';

/** Features in token order, so any window of words is one contiguous slice. */
export interface FeatureSet {
  /** Bucket of each feature occurrence (repeats count). */
  buckets: Int32Array;
  /** tokenStart[i] is the index in `buckets` of token i's first feature; tokenStart[n] = buckets.length. */
  tokenStart: Int32Array;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SEED_WORD = 0x9e3779b1;
const SEED_BIGRAM = 0x85ebca6b;
const SEED_CHAR = 0xc2b2ae35;
const SPACE = 32;
const SEED_CONCEPT = 0x27d4eb2f;
const SEED_PAIR = 0x165667b1;
const SEED_STEM = 0x61c88647;
const SEED_STEM_BIGRAM = 0x7feb352d;
const SEED_SKIP = 0x846ca68b;
/** Suffixes stripped for the stem features, longest first, so "monitoring", "monitored" and "monitors" meet. */
const STEM_SUFFIXES = ['ations', 'ation', 'ments', 'ment', 'ings', 'ing', 'ers', 'ied', 'ies', 'ed', 'er', 'es', 'ly', 's', 'e'];

/** A crude, language-blind stem: enough to share weight across inflections, never shorter than 3 chars. */
export function stemWord(w: string): string {
  for (const s of STEM_SUFFIXES) if (w.length - s.length >= 3 && w.endsWith(s)) return w.slice(0, w.length - s.length);
  return w;
}
/** Two concepts closer than this many words also give a pair feature (activity x population). */
export const CONCEPT_PAIR_REACH = 8;

/** MurmurHash3's finaliser: spreads FNV's weak low bits before masking to a bucket. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hashWord(w: string): number {
  let h = FNV_OFFSET ^ SEED_WORD;
  for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

function hashName(seed: number, name: string): number {
  let h = FNV_OFFSET ^ seed;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

const conceptHashes = new Map<string, number>();

/** Concept features as [token, bucket] pairs sorted by token: each hit, and each nearby pair. */
function conceptFeatures(concepts: Map<string, ConceptHit[]>, tokenCount: number, mask: number): Array<[number, number]> {
  const flat: Array<{ name: string; h: number; at: number }> = [];
  for (const [name, hits] of concepts) {
    let h = conceptHashes.get(name);
    if (h === undefined) { h = hashName(SEED_CONCEPT, name); conceptHashes.set(name, h); }
    for (const hit of hits) flat.push({ name, h, at: Math.min(tokenCount - 1, hit.end - 1) });
  }
  flat.sort((a, b) => a.at - b.at || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: Array<[number, number]> = [];
  for (let i = 0; i < flat.length; i++) {
    const a = flat[i] as { name: string; h: number; at: number };
    out.push([a.at, fmix(a.h) & mask]);
    for (let j = i + 1; j < flat.length; j++) {
      const b = flat[j] as { name: string; h: number; at: number };
      if (b.at - a.at > CONCEPT_PAIR_REACH) break;
      if (a.name === b.name) continue;
      const [x, y] = a.name < b.name ? [a.h, b.h] : [b.h, a.h];
      out.push([b.at, fmix(Math.imul(x ^ SEED_PAIR, FNV_PRIME) ^ y) & mask]);
    }
  }
  return out.sort((p, q) => p[0] - q[0]);
}

/**
 * Features of a normalised view: each word, each pair of adjacent words, each 3- to 5-char gram of
 * the word padded with spaces (" sarin " gives " sa", "sar", ..., "rin ", "arin "), and, when the
 * rule layer's concept hits are given, each concept and each pair of nearby concepts, so the linear
 * model sees the same compositions the rules read.
 */
export function extractFeatures(tokens: Tokens, bits: number, concepts?: Map<string, ConceptHit[]>, scratch?: { buf: Int32Array }): FeatureSet {
  const mask = (1 << bits) - 1;
  const { words } = tokens;
  const extra = concepts && concepts.size > 0 && words.length > 0 ? conceptFeatures(concepts, words.length, mask) : [];
  let total = extra.length;
  for (const w of words) total += 5 + 3 * Math.max(0, w.length);
  let next = 0;
  // A caller that scores at once and keeps nothing may lend a buffer, sparing the allocation.
  if (scratch && scratch.buf.length < total) scratch.buf = new Int32Array(Math.max(total, scratch.buf.length * 2));
  const buckets = scratch ? scratch.buf : new Int32Array(total);
  const tokenStart = new Int32Array(words.length + 1);
  let n = 0;
  let prev = 0;
  let prevStem = 0;
  let prevStem2 = 0;
  for (let t = 0; t < words.length; t++) {
    tokenStart[t] = n;
    const w = words[t] as string;
    const hw = hashWord(w);
    buckets[n++] = fmix(hw) & mask;
    if (t > 0) buckets[n++] = fmix(Math.imul(prev ^ SEED_BIGRAM, FNV_PRIME) ^ hw) & mask;
    prev = hw;
    // Stem unigram and bigram, and a skip-bigram over stems, so an inflection or one inserted
    // word ("track all the protesters") still meets the pair seen in training.
    const hs = hashName(SEED_STEM, stemWord(w));
    buckets[n++] = fmix(hs) & mask;
    if (t > 0) buckets[n++] = fmix(Math.imul(prevStem ^ SEED_STEM_BIGRAM, FNV_PRIME) ^ hs) & mask;
    if (t > 1) buckets[n++] = fmix(Math.imul(prevStem2 ^ SEED_SKIP, FNV_PRIME) ^ hs) & mask;
    prevStem2 = prevStem;
    prevStem = hs;
    while (next < extra.length && (extra[next] as [number, number])[0] === t) buckets[n++] = (extra[next++] as [number, number])[1];
    const len = w.length + 2;
    for (let s = 0; s + 3 <= len; s++) {
      let h = FNV_OFFSET ^ SEED_CHAR;
      for (let k = 0; k < 5 && s + k < len; k++) {
        const p = s + k;
        const c = p === 0 || p === len - 1 ? SPACE : w.charCodeAt(p - 1);
        h = Math.imul(h ^ c, FNV_PRIME);
        if (k >= 2) buckets[n++] = fmix(h) & mask;
      }
    }
  }
  tokenStart[words.length] = n;
  return { buckets: n === buckets.length ? buckets : buckets.subarray(0, n), tokenStart };
}
