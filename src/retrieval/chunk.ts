/** Splits a portion's text into chunks of bounded size at sentence boundaries; each keeps the portion's mark. */

/** Longest chunk, in UTF-16 units: short enough to rank well and to fit several in a model's context. */
export const MAX_CHUNK_CHARS = 1_000;

// Words before a period that do not end a sentence (initials are handled separately).
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'st', 'jr', 'sr', 'no', 'vs', 'etc', 'e.g', 'i.e', 'u.s', 'u.k', 'gen', 'col', 'lt', 'capt',
  'maj', 'sgt', 'adm', 'cmdr', 'gov', 'sen', 'rep', 'approx', 'dept', 'fig', 'inc', 'ltd', 'co', 'corp', 'jan', 'feb',
  'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec',
]);

// Starts only at the first of a run of [.!?] (the lookbehind), so a run of dots cannot backtrack quadratically.
const BOUNDARY = /(?<![.!?])[.!?]+["'\u201d\u2019)\]]*\s+(?=["'\u201c\u2018([]?[\p{Lu}\p{N}])/gu;

/** Spans that must not be cut: occurrences of protected strings (U.S.-person names). */
function protectedSpans(text: string, protect: readonly string[]): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const lower = text.toLowerCase();
  for (const p of protect) {
    const needle = p.toLowerCase();
    if (!needle) continue;
    for (let i = lower.indexOf(needle); i >= 0; i = lower.indexOf(needle, i + 1)) spans.push([i, i + needle.length]);
  }
  return spans;
}

function inside(spans: ReadonlyArray<[number, number]>, at: number): boolean {
  return spans.some(([a, b]) => at > a && at < b);
}

/** Index of the last whitespace at or before `from`, or -1 (a scan, not a regex: words may be huge). */
function lastSpace(text: string, from: number): number {
  for (let i = from; i >= 0; i--) if (/\s/.test(text[i]!)) return i;
  return -1;
}

/** Sentences of `text`, whitespace-trimmed; "John Q. Smith", "U.S. forces" and "e.g. this" stay whole. */
export function splitSentences(text: string, protect: readonly string[] = []): string[] {
  const spans = protectedSpans(text, protect);
  const out: string[] = [];
  let start = 0;
  for (const m of text.matchAll(BOUNDARY)) {
    const end = m.index + m[0].trimEnd().length;
    const wordStart = Math.max(start, lastSpace(text, m.index - 1) + 1);
    const word = text.slice(wordStart, m.index).replace(/^[("'\u201c\u2018[]+/, '').toLowerCase();
    if (/^\p{L}$/u.test(word) || ABBREVIATIONS.has(word) || inside(spans, end)) continue;
    const s = text.slice(start, end).trim();
    if (s) out.push(s);
    start = m.index + m[0].length;
  }
  const rest = text.slice(start).trim();
  if (rest) out.push(rest);
  return out;
}

/** Cuts an over-long sentence at spaces (never inside a protected span), else hard at `max`. */
function splitLong(sentence: string, max: number, protect: readonly string[]): string[] {
  const spans = protectedSpans(sentence, protect);
  const out: string[] = [];
  let start = 0;
  while (sentence.length - start > max) {
    let cut = sentence.lastIndexOf(' ', start + max);
    while (cut > start && inside(spans, cut)) cut = sentence.lastIndexOf(' ', cut - 1);
    if (cut <= start) cut = start + max;
    const piece = sentence.slice(start, cut).trim();
    if (piece) out.push(piece);
    start = cut;
    while (sentence[start] === ' ') start++;
  }
  const rest = sentence.slice(start).trim();
  if (rest) out.push(rest);
  return out;
}

/**
 * Chunks of at most `max` characters: whole sentences packed greedily in order; a sentence
 * longer than `max` is cut at spaces. Whitespace runs become single spaces.
 * @example chunkText('One. Two. Three.', 10) // ['One. Two.', 'Three.']
 */
export function chunkText(text: string, max = MAX_CHUNK_CHARS, protect: readonly string[] = []): string[] {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= max) return clean ? [clean] : [];
  const chunks: string[] = [];
  let current = '';
  for (const sentence of splitSentences(clean, protect).flatMap((s) => (s.length > max ? splitLong(s, max, protect) : [s]))) {
    if (current && current.length + 1 + sentence.length > max) {
      chunks.push(current);
      current = sentence;
    } else {
      current = current ? `${current} ${sentence}` : sentence;
    }
  }
  if (current) chunks.push(current);
  return chunks;
}
