/** Tokenising and concept matching: the vocabulary the rule layer composes. */

export interface Tokens {
  words: string[];
  /** Char offsets of each word in the view text. */
  starts: number[];
  ends: number[];
}

/** A concept found at tokens [start, end). */
export interface ConceptHit { start: number; end: number }

const WORD = /[\p{L}\p{N}]+/gu;

/** Splits a normalised view into words with their char offsets. */
export function tokenize(text: string): Tokens {
  const words: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
    words.push(m[0]);
    starts.push(m.index);
    ends.push(m.index + m[0].length);
  }
  return { words, starts, ends };
}

type Part = { kind: 'exact' | 'prefix'; s: string } | { kind: 'any' };
interface Entry { concept: string; rest: Part[] }

const MIN_PREFIX = 3;
const MAX_PREFIX = 16;

function parsePart(w: string): Part {
  if (w === '*') return { kind: 'any' };
  if (w.endsWith('*')) {
    const s = w.slice(0, -1);
    if (s.length < MIN_PREFIX) throw new Error(`prefix "${w}" is shorter than ${MIN_PREFIX} letters`);
    return { kind: 'prefix', s };
  }
  return { kind: 'exact', s: w };
}

function partMatches(p: Part, word: string | undefined): boolean {
  if (word === undefined) return false;
  if (p.kind === 'any') return true;
  return p.kind === 'exact' ? word === p.s : word.startsWith(p.s);
}

/**
 * Matches lexicon terms against tokens. A term is words separated by spaces; `word*` matches any
 * word starting with `word`, a lone `*` matches any one word. Terms are written in folded form
 * (lower case, no diacritics), the form normaliseText produces.
 */
interface TrieNode { next: Map<number, TrieNode>; entries: Entry[] | null }

export class ConceptMatcher {
  private readonly exact = new Map<string, Entry[]>();
  /** Prefix terms in a char trie, so matching a word allocates nothing. */
  private readonly prefixes: TrieNode = { next: new Map(), entries: null };

  constructor(lexicon: Readonly<Record<string, readonly string[]>>) {
    for (const [concept, terms] of Object.entries(lexicon)) {
      for (const term of terms) {
        const parts = term.trim().split(/\s+/).map(parsePart);
        const [first, ...rest] = parts;
        if (!first || first.kind === 'any') throw new Error(`term "${term}" of ${concept} must start with a word`);
        if (first.kind === 'exact') {
          const list = this.exact.get(first.s) ?? [];
          list.push({ concept, rest });
          this.exact.set(first.s, list);
        } else {
          let node = this.prefixes;
          for (let i = 0; i < first.s.length; i++) {
            const c = first.s.charCodeAt(i);
            let child = node.next.get(c);
            if (!child) { child = { next: new Map(), entries: null }; node.next.set(c, child); }
            node = child;
          }
          (node.entries ??= []).push({ concept, rest });
        }
      }
    }
  }

  /** Every concept hit, by concept name. */
  match(tokens: Tokens): Map<string, ConceptHit[]> {
    const hits = new Map<string, ConceptHit[]>();
    const { words } = tokens;
    const add = (entries: Entry[] | undefined, i: number): void => {
      if (!entries) return;
      for (const e of entries) {
        let ok = true;
        for (let k = 0; k < e.rest.length && ok; k++) ok = partMatches(e.rest[k] as Part, words[i + 1 + k]);
        if (!ok) continue;
        const list = hits.get(e.concept) ?? [];
        list.push({ start: i, end: i + 1 + e.rest.length });
        hits.set(e.concept, list);
      }
    };
    for (let i = 0; i < words.length; i++) {
      const w = words[i] as string;
      add(this.exact.get(w), i);
      let node: TrieNode | undefined = this.prefixes;
      const max = Math.min(w.length, MAX_PREFIX);
      for (let k = 0; k < max && node; k++) {
        node = node.next.get(w.charCodeAt(k));
        if (node?.entries) add(node.entries, i);
      }
    }
    return hits;
  }
}
