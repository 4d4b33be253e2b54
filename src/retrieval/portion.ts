/** A parsed portion: its label, text, U.S. persons and chunks, checked for markings above its own. */
import { sha256Hex } from '../crypto/index.ts';
import { basename, extname } from 'node:path';
import { dominates, findMarkings, formatPortion, type Label } from '../markings/index.ts';
import { chunkText } from './chunk.ts';
import { extractUsPersonTags, namesIn } from './us-persons.ts';

/** Why a file was rejected: the file, a 1-based line, and a message a person can act on. */
export interface IngestProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export interface ParsedChunk {
  readonly text: string;
  readonly usPersons: readonly string[];
}

export interface ParsedPortion {
  /** 1-based, in document order. */
  readonly index: number;
  /** Where the portion starts in its file. */
  readonly line: number;
  readonly label: Label;
  readonly text: string;
  readonly usPersons: readonly string[];
  readonly chunks: readonly ParsedChunk[];
}

export interface ParsedDocument {
  readonly id: string;
  /** Shown with every cited portion of the document, so it must be UNCLASSIFIED. */
  readonly title: string;
  readonly source: string;
  /** The roll-up of the portions. */
  readonly banner: Label;
  /** SHA-256 of the document's source text, hex. */
  readonly digest: string;
  readonly portions: readonly ParsedPortion[];
}

/** Document ids: the same shape as the configuration's ids. */
export const DOCUMENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The default id of a file's document: its base name without extension, made id-safe. */
export function documentIdFromPath(path: string): string {
  const stem = basename(path, extname(path)).replace(/[^A-Za-z0-9._:-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return stem.slice(0, 128);
}

export { sha256Hex };

/** Why a title cannot be shown to every reader of its document (it carries a marking), or null. */
export function checkTitle(title: string): string | null {
  const found = findMarkings(title, { limit: 5 }).find((f) => f.label.level > 0 || formatPortion(f.label) !== '(U)');
  return found ? `the title carries the marking "${found.text.slice(0, 60)}": titles are shown with every portion and must be UNCLASSIFIED` : null;
}

/**
 * Builds a portion from its text: resolves `[[USPER:...]]` tags, refuses text that carries a
 * marking its own label does not dominate (a `(TS)` paragraph pasted into a `(U)` one is spillage,
 * not a citation), and chunks it. `names` are the document-level U.S. persons.
 */
export function buildPortion(
  file: string, line: number, index: number, label: Label, raw: string, names: readonly string[],
): { ok: true; portion: ParsedPortion } | { ok: false; problem: IngestProblem } {
  const fail = (message: string) => ({ ok: false as const, problem: { file, line, message } });
  const tags = extractUsPersonTags(raw);
  if (!tags.ok) return fail(tags.message);
  const text = tags.text.replace(/\s+/g, ' ').trim();
  if (!text) return fail(`the portion ${formatPortion(label)} has no text`);
  const persons = [...new Set([...tags.names, ...namesIn(text, names)])];
  const pieces = chunkText(text, undefined, persons);
  // Searched chunk by chunk: each is bounded, so a hostile paragraph costs linear time in total.
  for (const piece of pieces) {
    const found = findMarkings(piece, { limit: 50 }).find((f) => !dominates(label, f.label));
    if (found) {
      return fail(`the portion is marked ${formatPortion(label)} but contains ${found.valid ? 'the' : 'what looks like a'} higher marking "${found.text.slice(0, 80)}"`);
    }
  }
  const chunks = pieces.map((c) => ({ text: c, usPersons: namesIn(c, persons) }));
  return { ok: true, portion: { index, line, label, text, usPersons: persons, chunks } };
}
