/**
 * U.S.-person tags. In text an identity is tagged inline as `[[USPER:John Q. Smith]]`; a document
 * may also list identities (front matter or JSONL `us_persons`). The stored and indexed text keeps
 * the bare name, so an analyst can search for it: masking is the output guard's job, and each
 * chunk carries the identities it names so the masker knows exactly what to replace.
 */

/** Longest identity accepted in a tag or a list. */
export const MAX_US_PERSON_CHARS = 200;

const TAG = /\[\[USPER:([^[\]\r\n]{1,200})\]\]/g;
const TAG_START = /\[\[\s*USPER\b/gi;

export type TagResult =
  | { ok: true; text: string; names: string[] }
  | { ok: false; offset: number; message: string };

/** Trims and collapses spaces; returns '' for a name that is empty or too long. */
export function normaliseName(name: string): string {
  const n = name.normalize('NFC').replace(/\s+/g, ' ').trim();
  return n.length > MAX_US_PERSON_CHARS ? '' : n;
}

/**
 * Replaces each `[[USPER:Name]]` with the name and collects the names. A malformed tag (no
 * closing `]]`, an empty name, wrong case, a line break inside) is an error at its offset, never
 * silently kept as text: an untagged identity would escape masking.
 */
export function extractUsPersonTags(text: string): TagResult {
  const names: string[] = [];
  const valid = new Set<number>();
  let bad: { offset: number; message: string } | undefined;
  const out = text.replace(TAG, (whole: string, raw: string, offset: number) => {
    const name = normaliseName(raw);
    if (!name) bad ??= { offset, message: 'a [[USPER:...]] tag needs a name' };
    valid.add(offset);
    if (name && !names.includes(name)) names.push(name);
    return name || whole;
  });
  if (bad) return { ok: false, ...bad };
  for (const m of text.matchAll(TAG_START)) {
    if (!valid.has(m.index)) return { ok: false, offset: m.index, message: 'malformed U.S.-person tag: write [[USPER:Full Name]] on one line' };
  }
  return { ok: true, text: out, names };
}

/** The names (from a document-level list or tags) that occur in `text`, case-insensitively. */
export function namesIn(text: string, names: readonly string[]): string[] {
  if (names.length === 0) return [];
  const lower = text.toLowerCase();
  return names.filter((n) => lower.includes(n.toLowerCase()));
}
