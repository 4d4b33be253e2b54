/** Finds portion marks and banner lines embedded in free text, for spillage detection. */
import { MarkingError } from './errors.ts';
import { makeLabel, type Label } from './label.ts';
import { levelOf, type Level } from './levels.ts';
import { tryParseMarking } from './parse.ts';

/** A marking found in text. `start`/`end` are UTF-16 offsets (end exclusive) of `text`. */
export interface FoundMarking {
  readonly kind: 'portion' | 'banner';
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /**
   * The marking's label. For an invalid marking (`valid: false`) a conservative stand-in: the
   * highest classification it names, with NOFORN, since a malformed marking still says what level it claims.
   */
  readonly label: Label;
  readonly valid: boolean;
  readonly error?: MarkingError;
}

export interface FindMarkingsOptions {
  /** Stop after this many findings (default FIND_MARKINGS_LIMIT). */
  readonly limit?: number;
}

export const FIND_MARKINGS_LIMIT = 1000;

const PORTION = /\(([^()\r\n]{1,300})\)/g;
const LINE = /[^\r\n]+/g;
const INLINE = /(?<![A-Za-z0-9/(])(?:TOP SECRET|SECRET|CONFIDENTIAL|UNCLASSIFIED|CUI|TS|S|C|U)\/\/[A-Z0-9][A-Z0-9 /,-]*/g;
const BARE_PORTIONS = new Set(['U', 'C', 'S', 'TS', 'CUI']);
const BANNER_WORDS = new Set(['UNCLASSIFIED', 'CONFIDENTIAL', 'SECRET', 'TOP SECRET', 'CUI']);
const STAND_INS: readonly Label[] = [0, 1, 2, 3].map((level) => makeLabel({ level: level as Level, noforn: true }));

/** The classification a marking-shaped string starts with, or null; cheap and never throws. */
function leadingLevel(s: string): Level | null {
  if (s.startsWith('//')) {
    const owned = (s.slice(2).split('/')[0] ?? '').trim();
    // `//TOP SECRET`, `//TS`: a foreign-form marking with its owner missing still names its level.
    const bare = levelOf(owned);
    if (bare !== undefined) return bare;
    const words = owned.split(' ');
    if (words[0] === 'JOINT') return words[1] === 'TOP' && words[2] === 'SECRET' ? 3 : levelOf(words[1] ?? '') ?? null;
    return levelOf(words.slice(1).join(' ')) ?? null;
  }
  const head = (s.split('//')[0] ?? '').trim();
  return head === 'CUI' ? 0 : levelOf(head) ?? null;
}

/**
 * The level an invalid marking-shaped string claims, or null when it does not start like a
 * marking. Fails closed: the highest classification named anywhere in it (`(S//TS)` counts as
 * TOP SECRET), never just the first, so a malformed marking cannot slip under a clearance.
 */
function claimedLevel(content: string): Level | null {
  const s = content.trim().replace(/\s+/g, ' ').toUpperCase();
  let level = leadingLevel(s);
  if (level === null) return null;
  const words = s.split(/[\s/,]+/);
  for (const [i, word] of words.entries()) {
    const named = word === 'TOP' && words[i + 1] === 'SECRET' ? 3 : levelOf(word);
    if (named !== undefined && named > level) level = named;
  }
  return level;
}

/** True when a bare `(S)` sits where portion marks go: at a line start or after a sentence. */
function atParagraphStart(text: string, index: number): boolean {
  const lineStart = Math.max(text.lastIndexOf('\n', index - 1) + 1, index - 40);
  const prefix = text.slice(lineStart, index);
  return (lineStart === 0 || text[lineStart - 1] === '\n') && /^[\s>*#\d.•-]*$/.test(prefix)
    || /[.!?]\s+$/.test(prefix);
}

class Finder {
  readonly found: FoundMarking[] = [];

  constructor(readonly text: string, readonly limit: number) {}

  get full(): boolean {
    return this.found.length >= this.limit;
  }

  /** Found spans sorted by start; they never overlap, so ends are sorted too. */
  readonly spans: Array<[number, number]> = [];

  /** First span index whose end is after `start` (binary search, so hostile texts stay linear). */
  private firstEndingAfter(start: number): number {
    let lo = 0;
    let hi = this.spans.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.spans[mid]![1] <= start) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  overlaps(start: number, end: number): boolean {
    const span = this.spans[this.firstEndingAfter(start)];
    return span !== undefined && span[0] < end;
  }

  private record(found: FoundMarking): void {
    this.found.push(Object.freeze(found));
    this.spans.splice(this.firstEndingAfter(found.start), 0, [found.start, found.end]);
  }

  /** Records a candidate: valid markings always; invalid ones only when strongly marking-shaped. */
  add(kind: FoundMarking['kind'], start: number, candidate: string, reportInvalid: boolean): boolean {
    const parsed = tryParseMarking(candidate);
    const base = { kind, start, end: start + candidate.length, text: candidate };
    if (parsed.ok) {
      this.record({ ...base, label: parsed.label, valid: true });
      return true;
    }
    const level = claimedLevel(candidate.replace(/^\(|\)$/g, ''));
    if (!reportInvalid || level === null) return false;
    this.record({ ...base, label: STAND_INS[level]!, valid: false, error: parsed.error });
    return true;
  }

  portions(): void {
    for (const m of this.text.matchAll(PORTION)) {
      if (this.full) return;
      const at = m.index;
      const content = m[1]!.trim();
      const before = this.text[at - 1] ?? ' ';
      const after = this.text[at + m[0].length] ?? ' ';
      if (/[A-Za-z0-9]/.test(before)) continue;
      if (content.includes('//')) {
        // Upper case is how markings are written; lower-case text must parse cleanly to count.
        this.add('portion', at, m[0], content === content.toUpperCase());
      } else if (BARE_PORTIONS.has(content) && !/[A-Za-z0-9]/.test(after) && atParagraphStart(this.text, at) && !/^\s*\d/.test(this.text.slice(at + m[0].length, at + m[0].length + 4))) {
        // "(C) 2024 ..." is a copyright line, not a CONFIDENTIAL paragraph.
        this.add('portion', at, m[0], false);
      }
    }
  }

  bannerLines(): void {
    for (const m of this.text.matchAll(LINE)) {
      if (this.full) return;
      const line = m[0];
      const lead = /^[\s*=#_~]*/.exec(line)![0].length;
      const candidate = line.slice(lead).replace(/[\s*=#_~]+$/, '');
      if (!candidate || candidate.length > 4096 || !/^[A-Za-z0-9 /,-]+$/.test(candidate)) continue;
      // Banners are upper case; a lower-case line counts only with "//" and only if it parses.
      const upper = candidate === candidate.toUpperCase();
      if (!candidate.includes('//') && !(upper && BANNER_WORDS.has(candidate))) continue;
      const start = m.index + lead;
      if (this.overlaps(start, start + candidate.length)) continue;
      this.add('banner', start, candidate, upper);
    }
  }

  inline(): void {
    for (const m of this.text.matchAll(INLINE)) {
      if (this.full) return;
      let candidate = m[0].slice(0, 512).trimEnd();
      if (this.overlaps(m.index, m.index + candidate.length)) continue;
      // The pattern runs on through upper-case prose ("SECRET//NOFORN PLANS"): drop trailing words.
      for (let tries = 0; tries < 8; tries++) {
        if (tryParseMarking(candidate).ok) break;
        const cut = candidate.lastIndexOf(' ');
        if (cut < 0 || !candidate.slice(0, cut).includes('//')) break;
        candidate = candidate.slice(0, cut).replace(/[ ,/]+$/, '');
      }
      this.add('banner', m.index, candidate, true);
    }
  }
}

/**
 * Finds classification markings in free text: portion marks such as `(S//NF)` or `(//DEU S)`,
 * banner lines such as `TOP SECRET//SI`, and banner-form markings inside a sentence. Ordinary
 * parentheses (`(see above)`, `(U.S.)`, `file(s)`) do not match; a bare `(C)` or `(S)` counts only
 * at the start of a line or sentence and not before a number, so `(C) 2024` or "option (C)" do not.
 * Results are in text order; at most `limit` are returned.
 */
export function findMarkings(text: string, options: FindMarkingsOptions = {}): FoundMarking[] {
  if (typeof text !== 'string' || text.length === 0) return [];
  const finder = new Finder(text, options.limit ?? FIND_MARKINGS_LIMIT);
  finder.portions();
  finder.bannerLines();
  finder.inline();
  return finder.found.sort((a, b) => a.start - b.start);
}
