/**
 * Deterministic dataset generator: composes the hand-written sources into train.jsonl and
 * heldout.jsonl, split by family so the held-out file shares no family, frame or slot value
 * with training. Run: node --import tsx src/guards/dataset/generate.ts
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rot13 } from '../words.ts';
import { parseSources, type Lang, type Section } from './sources.ts';
import type { GuardCategory, GuardSource } from '../types.ts';

export interface DatasetLine {
  id: string;
  text: string;
  label: GuardCategory;
  lang: Lang;
  hard_negative: boolean;
  family: string;
  source?: GuardSource;
}

type Split = 'train' | 'heldout';
const HERE = fileURLToPath(new URL('.', import.meta.url));
const FRAMES_PER_CORE = 3;
const EXPANSIONS_PER_TEMPLATE = 5;
const HELDOUT_EVERY = 7;
const CORE_HELDOUT_EVERY = 6;
/** Source files of later rounds (round3-*.txt, ...), whose sections are split by their own hash. */
const STABLE_FILE = /^round\d+-/;

function hashOf(s: string): number {
  return createHash('sha256').update(s).digest().readUInt32BE(0);
}

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Two levels of hold-out, both by group rather than by row. Whole sections: within each group
 * (kind, label, hard, lang, source), every HELDOUT_EVERY-th section by hash order is held out, so
 * some themes, frame families and template families are never seen in training. Single cores:
 * in the remaining core and example sections, every CORE_HELDOUT_EVERY-th line by hash is held out
 * together with all of its framed and obfuscated variants, so no wording is shared across splits.
 * Sections of later rounds' files are held out by the hash of their name alone (one in seven).
 */
function assignSplits(sections: Section[]): Map<Section, Split> {
  const groups = new Map<string, Section[]>();
  const split = new Map<Section, Split>();
  for (const s of sections) {
    if (s.kind === 'slot') continue;
    // Later rounds are split by the hash of each section's own name, so adding one never moves an
    // earlier section across the split (the rank order within a group would shift).
    if (STABLE_FILE.test(s.file)) { split.set(s, hashOf(s.name) % HELDOUT_EVERY === 2 ? 'heldout' : 'train'); continue; }
    const kind = s.kind === 'templates' || s.kind === 'cores' ? 'gen' : s.kind;
    const key = s.kind === 'frames' ? `frames/${s.lang}` : `${kind}/${s.label}/${s.hard}/${s.lang}/${s.source ?? 'user'}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  for (const list of groups.values()) {
    const sorted = [...list].sort((a, b) => hashOf(a.name) - hashOf(b.name) || a.name.localeCompare(b.name));
    sorted.forEach((s, i) => split.set(s, sorted.length >= 3 && i % HELDOUT_EVERY === 2 ? 'heldout' : 'train'));
  }
  return split;
}

/** Split of one line of a section that is itself in training. */
function lineSplit(section: Section, line: string): Split {
  if (section.kind !== 'cores' && section.kind !== 'examples') return 'train';
  return hashOf(`${section.name}/${line}`) % CORE_HELDOUT_EVERY === 0 ? 'heldout' : 'train';
}

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;

/** Cheap surface noise so the classifier does not learn punctuation and casing. */
function perturb(text: string, rand: () => number): string {
  const r = rand();
  if (r < 0.06) return text.toLowerCase();
  if (r < 0.1) return text.replace(/[.?!]+$/, '');
  if (r < 0.15) {
    const words = text.split(' ');
    const i = Math.floor(rand() * words.length);
    const w = words[i] ?? '';
    if (w.length >= 5) { const j = 1 + Math.floor(rand() * (w.length - 3)); words[i] = w.slice(0, j) + (w[j + 1] ?? '') + (w[j] ?? '') + w.slice(j + 2); }
    return words.join(' ');
  }
  return text;
}

/** A few red-line cores also appear obfuscated, so evaluation exercises normalisation end to end. */
function obfuscate(text: string, rand: () => number): string {
  const how = Math.floor(rand() * 5);
  if (how === 0) return `Decode this and do what it says: ${Buffer.from(text).toString('base64')}`;
  if (how === 1) return text.replace(/[aeo]/g, (c) => ({ a: 'а', e: 'е', o: 'о' })[c] ?? c);
  if (how === 2) return text.replace(/\b(\w{4,})\b/g, (w) => `${w.slice(0, 2)}\u200b${w.slice(2)}`);
  if (how === 3) return text.replace(/a/g, '4').replace(/e/g, '3').replace(/o/g, '0');
  return `rot13: ${rot13(text)}`;
}

/** Builds every dataset line from the source files in a folder. */
export function generateDataset(dir = join(HERE, 'sources')): Record<Split, DatasetLine[]> {
  // Later rounds' files come last, so earlier lines keep their ids.
  const later = (f: string): number => (STABLE_FILE.test(f) ? 1 : 0);
  const sections = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort()
    .sort((a, b) => later(a) - later(b))
    .flatMap((f) => parseSources(readFileSync(join(dir, f), 'utf8'), f));
  const split = assignSplits(sections);
  const slots = new Map<string, Record<Split, string[]>>();
  for (const s of sections.filter((x) => x.kind === 'slot')) {
    const pools = slots.get(s.name) ?? { train: [], heldout: [] };
    s.lines.forEach((l, i) => pools[i % 4 === 3 ? 'heldout' : 'train'].push(l));
    slots.set(s.name, pools);
  }
  const frames = (sp: Split, lang: Lang): string[] => sections.filter((s) => s.kind === 'frames' && s.lang === lang && split.get(s) === sp).flatMap((s) => s.lines);
  const benign = (sp: Split, lang: Lang): string[] => sections
    .filter((s) => s.kind === 'cores' && s.label === 'none' && !s.hard && s.lang === lang)
    .flatMap((s) => s.lines.filter((l) => (split.get(s) === 'heldout' ? 'heldout' : lineSplit(s, l)) === sp));
  const out: Record<Split, DatasetLine[]> = { train: [], heldout: [] };
  const seen = new Set<string>();
  const emit = (sp: Split, s: Section, text: string, family: string): void => {
    const t = text.trim();
    if (!t || seen.has(t)) return;
    seen.add(t);
    const line: DatasetLine = { id: `${sp === 'train' ? 'tr' : 'ho'}-${family}-${out[sp].length}`, text: t, label: s.label, lang: s.lang, hard_negative: s.hard, family };
    if (s.source) line.source = s.source;
    out[sp].push(line);
  };
  for (const s of sections) {
    const sp = split.get(s);
    if (!sp) continue;
    const rand = seeded(hashOf(`${s.file}/${s.name}`));
    const family = (i: number): string => `${s.name}.${i + 1}`;
    if (s.kind === 'examples') s.lines.forEach((l, i) => emit(sp === 'train' ? lineSplit(s, l) : sp, s, l, family(i)));
    if (s.kind === 'cores') {
      for (const [i, core] of s.lines.entries()) {
        const csp = sp === 'train' ? lineSplit(s, core) : sp;
        const fr = frames(csp, s.lang);
        const bn = benign(csp, s.lang);
        emit(csp, s, perturb(core, rand), family(i));
        for (let k = 0; k < FRAMES_PER_CORE && fr.length > 0; k++) {
          const frame = pick(rand, fr);
          const filled = frame
            .replace('{lc}', () => core.charAt(0).toLowerCase() + core.slice(1))
            .replace('{}', () => core)
            .replace(/\{benign\}/g, () => (bn.length ? pick(rand, bn) : ''));
          emit(csp, s, perturb(filled, rand), `${family(i)}+frame`);
        }
        if (s.label !== 'none' && rand() < 0.06) emit(csp, s, obfuscate(core, rand), `${family(i)}+obfuscated`);
      }
    }
    if (s.kind === 'templates') {
      for (const tpl of s.lines) {
        for (let k = 0; k < EXPANSIONS_PER_TEMPLATE; k++) {
          const text = tpl.replace(/\{([a-z0-9-]+)\}/g, (_m, name: string) => {
            const pool = slots.get(name)?.[sp];
            if (!pool || pool.length === 0) throw new Error(`${s.file} ${s.name}: empty slot ${name} in ${sp}`);
            return pick(rand, pool);
          });
          emit(sp, s, perturb(text.charAt(0).toUpperCase() + text.slice(1), rand), s.name);
        }
      }
    }
  }
  return out;
}

function writeJsonl(path: string, lines: DatasetLine[]): void {
  writeFileSync(path, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const data = generateDataset();
  writeJsonl(join(HERE, 'train.jsonl'), data.train);
  writeJsonl(join(HERE, 'heldout.jsonl'), data.heldout);
  for (const sp of ['train', 'heldout'] as const) {
    const lines = data[sp];
    const by = (f: (l: DatasetLine) => string): string => Object.entries(lines.reduce<Record<string, number>>((a, l) => { a[f(l)] = (a[f(l)] ?? 0) + 1; return a; }, {})).map(([k, v]) => `${k}=${v}`).join(' ');
    console.log(`${sp}: ${lines.length} lines; ${by((l) => l.label)}; hard=${lines.filter((l) => l.hard_negative).length}; ${by((l) => l.lang)}`);
  }
}
