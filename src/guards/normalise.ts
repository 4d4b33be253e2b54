/** Normalisation that defeats cheap evasion before any layer looks at a text. */
import { findEncodedPayloads, findRot13Runs, type PayloadKind } from './decode.ts';
import { HOMOGLYPHS, LIGATURE_FOLDS } from './homoglyphs.ts';
import { COMMON_WORDS } from './words.ts';

export type NormaliseStep = 'nfkc' | 'invisible' | 'homoglyph' | 'spaced' | 'leetspeak' | PayloadKind;

/** One text a layer classifies: the folded message itself, or a payload decoded out of it. */
export interface TextView {
  kind: 'text' | PayloadKind;
  /** Lower-case, folded, single-spaced. */
  text: string;
  /** Where this view sits in the raw input (a decoded payload maps to the whole payload). */
  rawSpan: [number, number];
}

export interface NormalisedText {
  views: TextView[];
  /** Which evasions were undone, and how often; evidence for the 'normalise' layer. */
  steps: Array<{ step: NormaliseStep; count: number; span: [number, number] }>;
}

// Zero-width, bidi controls, soft hyphen, fillers, variation selectors and tag characters: all render
// as nothing and are a classic way to split a keyword.
const INVISIBLE = /^(?:[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0]|\uDB40[\uDC00-\uDFFF])$/;
const LEET: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g', '@': 'a', $: 's' };
const LEET_HINT = /[a-z][0-9@$][a-z]/;
const SPACED_RUN = /(?<![a-z0-9])[a-z0-9@$](?:[ ._*·|\-]{1,3}[a-z0-9@$]){3,}(?![a-z0-9])/g;
const PLAIN_ASCII = /^[\t\n\r\x20-\x7e]*$/;
const MAX_DEPTH = 2;

type Counter = (s: NormaliseStep) => void;
/** Text with, optionally, the raw index of each char (tracking costs time, so only evidence asks). */
interface Seq { text: string; offs: number[] | null }

const foldCache = new Map<number, { out: string; kind: 'nfkc' | 'homoglyph' | null }>();

/** NFKD, combining marks dropped, lower case, confusables and ligatures folded, for one code point. */
function foldCodePoint(cp: number): { out: string; kind: 'nfkc' | 'homoglyph' | null } {
  const cached = foldCache.get(cp);
  if (cached) return cached;
  const ch = String.fromCodePoint(cp);
  let out = '';
  let kind: 'nfkc' | 'homoglyph' | null = null;
  if (/\s/u.test(ch)) out = ' ';
  else {
    const nfkc = ch.normalize('NFKC');
    if (nfkc !== ch.normalize('NFC')) kind = 'nfkc';
    for (const c of nfkc.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase()) {
      const h = HOMOGLYPHS.get(c);
      if (h) kind = 'homoglyph';
      out += h ?? LIGATURE_FOLDS.get(c) ?? c;
    }
  }
  const result = { out, kind };
  if (foldCache.size < 4096) foldCache.set(cp, result);
  return result;
}

/** Per code point folding; plain ASCII takes a fast path with the same result. */
function foldChars(raw: string, track: boolean, count: Counter): Seq {
  if (!track && PLAIN_ASCII.test(raw)) return { text: raw.toLowerCase().replace(/[\t\n\r]/g, ' '), offs: null };
  let text = '';
  const offs: number[] | null = track ? [] : null;
  for (let i = 0; i < raw.length; ) {
    const cp = raw.codePointAt(i) ?? 0;
    const width = cp > 0xffff ? 2 : 1;
    let out: string;
    if (cp < 128) out = cp >= 65 && cp <= 90 ? String.fromCharCode(cp + 32) : cp === 9 || cp === 10 || cp === 13 ? ' ' : (raw[i] as string);
    else if (INVISIBLE.test(raw.slice(i, i + width))) { count('invisible'); out = ''; }
    else {
      const f = foldCodePoint(cp);
      if (f.kind) count(f.kind);
      out = f.out;
    }
    text += out;
    if (offs) for (let k = 0; k < out.length; k++) offs.push(i);
    i += width;
  }
  return { text, offs };
}

/** Splits a run of letters into vocabulary words (fewest words), or null when it cannot. */
function segmentWords(run: string): string[] | null {
  const best: Array<string[] | null> = [[]];
  for (let end = 1; end <= run.length; end++) {
    best[end] = null;
    for (let start = Math.max(0, end - 16); start < end; start++) {
      const prev = best[start];
      if (prev && COMMON_WORDS.has(run.slice(start, end)) && (best[end] === null || (best[end]?.length ?? 0) > prev.length + 1)) {
        best[end] = [...prev, run.slice(start, end)];
      }
    }
  }
  return best[run.length] ?? null;
}

/** Rebuilds a Seq from pieces of the old one plus inserted chars (which take the next char's offset). */
class SeqBuilder {
  text = '';
  readonly offs: number[] | null;
  constructor(private readonly src: Seq) { this.offs = src.offs ? [] : null; }
  copy(from: number, to: number): void {
    this.text += this.src.text.slice(from, to);
    if (this.offs && this.src.offs) for (let i = from; i < to; i++) this.offs.push(this.src.offs[i] ?? 0);
  }
  insert(ch: string, at: number): void {
    this.text += ch;
    this.offs?.push(this.src.offs?.[at] ?? 0);
  }
}

/** "s a r i n", "s.a.r.i.n", "h o w  t o" -> joined words; wider gaps stay word breaks. */
function joinSpacedLetters(seq: Seq, count: Counter): Seq {
  SPACED_RUN.lastIndex = 0;
  if (!SPACED_RUN.test(seq.text)) return seq;
  SPACED_RUN.lastIndex = 0;
  const b = new SeqBuilder(seq);
  let copied = 0;
  for (let m = SPACED_RUN.exec(seq.text); m !== null; m = SPACED_RUN.exec(seq.text)) {
    count('spaced');
    b.copy(copied, m.index);
    const letters: Array<{ at: number; gap: number }> = [];
    let gap = 0;
    for (let i = m.index; i < m.index + m[0].length; i++) {
      if (/[a-z0-9@$]/.test(seq.text[i] ?? '')) { letters.push({ at: i, gap }); gap = 0; } else gap++;
    }
    const gaps = letters.slice(1).map((l) => l.gap);
    const minGap = Math.min(...gaps);
    const uniform = gaps.every((g) => g === minGap);
    const words = uniform ? segmentWords(letters.map((l) => seq.text[l.at]).join('')) : null;
    const breaks = new Set<number>();
    if (words) { let at = 0; for (const w of words.slice(0, -1)) { at += w.length; breaks.add(at); } }
    letters.forEach((l, k) => {
      if (k > 0 && (l.gap > minGap || breaks.has(k))) b.insert(' ', l.at);
      b.copy(l.at, l.at + 1);
    });
    copied = m.index + m[0].length;
  }
  b.copy(copied, seq.text.length);
  return { text: b.text, offs: b.offs };
}

function collapseSpaces(seq: Seq): Seq {
  if (!seq.offs) return { text: seq.text.replace(/ {2,}/g, ' ').trim(), offs: null };
  const b = new SeqBuilder(seq);
  const t = seq.text;
  for (let i = 0; i < t.length; i++) {
    if (t[i] === ' ' && (b.text.length === 0 || b.text.endsWith(' '))) continue;
    b.copy(i, i + 1);
  }
  if (b.text.endsWith(' ')) { b.text = b.text.slice(0, -1); b.offs?.pop(); }
  return { text: b.text, offs: b.offs };
}

const isLetter = (c: string | undefined): boolean => c !== undefined && c >= 'a' && c <= 'z';

/** "s4r1n" -> "sarin": only in tokens where a leet digit sits between letters ("mp3", "b52" stay). */
function foldLeetspeak(seq: Seq, count: Counter): Seq {
  if (!LEET_HINT.test(seq.text)) return seq;
  const chars = [...seq.text];
  if (chars.length !== seq.text.length) return seq; // astral chars: offsets would shift; rare, skip
  for (let i = 0; i < chars.length; ) {
    if (!/[a-z0-9@$]/.test(chars[i] ?? '')) { i++; continue; }
    let j = i;
    while (j < chars.length && /[a-z0-9@$]/.test(chars[j] ?? '')) j++;
    const token = chars.slice(i, j).join('');
    // An e-mail address keeps its '@'; strain names like h5n1 are not leetspeak.
    const email = chars[j] === '.' && token.includes('@');
    const code = /^h\d{1,2}n\d{1,2}$/.test(token);
    let between = false;
    let letters = 0;
    for (let k = i; k < j; k++) {
      const c = chars[k] ?? '';
      if (isLetter(c)) letters++;
      else if (LEET[c] && isLetter(chars[k - 1]) && k + 1 < j && isLetter(chars[k + 1])) between = true;
    }
    if (between && letters >= 2 && !email && !code) {
      for (let k = i; k < j; k++) { const to = LEET[chars[k] ?? '']; if (to) chars[k] = to; }
      count('leetspeak');
    }
    i = j;
  }
  return { text: chars.join(''), offs: seq.offs };
}

function foldText(raw: string, track: boolean, count: Counter): Seq {
  return foldLeetspeak(collapseSpaces(joinSpacedLetters(foldChars(raw, track, count), count)), count);
}

/**
 * Raw index of every char of the folded text (plus one for its end), for mapping evidence spans.
 * Computed on demand: classification itself never needs it.
 */
export function foldOffsets(raw: string): Int32Array {
  const seq = foldText(raw, true, () => undefined);
  const offsets = new Int32Array((seq.offs?.length ?? 0) + 1);
  if (seq.offs) offsets.set(seq.offs);
  offsets[offsets.length - 1] = raw.length;
  return offsets;
}

function normaliseInto(raw: string, at: [number, number] | null, depth: number, out: NormalisedText): TextView {
  const tally = new Map<NormaliseStep, number>();
  const text = foldText(raw, false, (s) => { tally.set(s, (tally.get(s) ?? 0) + 1); }).text;
  const span: [number, number] = at ?? [0, raw.length];
  const view: TextView = { kind: 'text', text, rawSpan: span };
  out.views.push(view);
  for (const [step, n] of tally) out.steps.push({ step, count: n, span });
  if (depth >= MAX_DEPTH) return view;
  for (const p of findEncodedPayloads(raw)) {
    const where: [number, number] = at ?? p.span;
    out.steps.push({ step: p.kind, count: 1, span: where });
    normaliseInto(p.decoded, where, depth + 1, out).kind = p.kind;
  }
  const runs = findRot13Runs(text);
  if (runs.length > 0) {
    const offsets = at ? null : foldOffsets(raw);
    for (const p of runs) {
      const where: [number, number] = at ?? [offsets?.[p.span[0]] ?? 0, offsets?.[p.span[1]] ?? raw.length];
      out.steps.push({ step: 'rot13', count: 1, span: where });
      out.views.push({ kind: 'rot13', text: p.decoded, rawSpan: where });
    }
  }
  return view;
}

/**
 * Folds a text (NFKC, invisible characters, homoglyphs, spaced-out letters, leetspeak) and decodes
 * embedded base64, hex, URL, HTML-entity and rot13 payloads. The first view is the folded text
 * itself; each decoded payload follows as its own view, so layers see both raw and decoded text.
 */
export function normaliseText(raw: string): NormalisedText {
  const out: NormalisedText = { views: [], steps: [] };
  normaliseInto(raw, null, 0, out);
  return out;
}
