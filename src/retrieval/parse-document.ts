/**
 * Parses a portion-marked text or Markdown document (and dispatches JSONL). Format:
 *
 *     ---                          optional YAML front matter: id, title, us_persons
 *     id: northern-depot
 *     title: Northern depot        (titles are shown with every cited portion: UNCLASSIFIED only)
 *     ---
 *     SECRET//NOFORN               optional banner: must equal the roll-up of the portions
 *
 *     # (U) Northern depot         every paragraph starts with its portion mark, after any
 *                                  Markdown heading, quote or list marker
 *     (S//NF) Text ... [[USPER:John Q. Smith]] ...
 *
 *     SECRET//NOFORN               optional bottom banner, equal to the top one
 *
 * A line inside a paragraph that starts with a valid portion mark starts a new portion. Any
 * problem rejects the whole file; every problem names its line.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatBanner, leastUpperBound, tryParseMarking, type Label } from '../markings/index.ts';
import { parseJsonl } from './parse-jsonl.ts';
import {
  DOCUMENT_ID, buildPortion, checkTitle, documentIdFromPath, sha256Hex,
  type IngestProblem, type ParsedDocument, type ParsedPortion,
} from './portion.ts';
import { normaliseName } from './us-persons.ts';

export type ParseOutcome = { ok: true; documents: ParsedDocument[] } | { ok: false; problems: IngestProblem[] };

/** Files the parser reads, by extension. */
export const SUPPORTED_EXTENSIONS = ['.md', '.markdown', '.txt', '.jsonl'] as const;

/** Problems reported per file before giving up on it. */
export const MAX_PROBLEMS = 20;

const PORTION_START = /^(\s*(?:#{1,6}\s+|>\s*|[-*+]\s+|\d{1,3}[.)]\s+)?)\(([^()\r\n]{1,300})\)[ \t]*/;
const THEMATIC_BREAK = /^\s*([-*_])(?:\s*\1){2,}\s*$/;
const BANNER_DECORATION = /^[\s*_#=~]+|[\s*_#=~]+$/g;

const frontMatterSchema = z.object({
  id: z.string().regex(DOCUMENT_ID, 'id: letters, digits, . _ : - (max 128)').optional(),
  title: z.string().min(1).max(300).optional(),
  us_persons: z.array(z.string().min(1).max(200)).max(1000).optional(),
}).strict();

interface Draft {
  line: number;
  label: Label;
  heading: boolean;
  parts: string[];
}

function problemList(file: string, problems: IngestProblem[]): ParseOutcome {
  return { ok: false, problems: problems.slice(0, MAX_PROBLEMS) };
}

/** A banner line (top or bottom): a whole line that parses as a marking and is not a portion mark. */
function readBanner(line: string): Label | 'invalid' | null {
  if (PORTION_START.test(line)) return null;
  const candidate = line.replace(BANNER_DECORATION, '');
  if (!candidate) return null;
  const parsed = tryParseMarking(candidate);
  if (parsed.ok) return parsed.label;
  // Upper-case text with "//" is a banner that fails to parse, not a paragraph.
  return candidate.includes('//') && candidate === candidate.toUpperCase() ? 'invalid' : null;
}

function readFrontMatter(file: string, lines: string[], problems: IngestProblem[]): { end: number; data: z.infer<typeof frontMatterSchema> } {
  if (lines[0]?.trim() !== '---') return { end: 0, data: {} };
  const close = lines.findIndex((l, i) => i > 0 && (l.trim() === '---' || l.trim() === '...'));
  if (close < 0) {
    problems.push({ file, line: 1, message: 'the front matter opened with --- is not closed' });
    return { end: lines.length, data: {} };
  }
  let raw: unknown;
  try {
    raw = parseYaml(lines.slice(1, close).join('\n')) ?? {};
  } catch (err) {
    problems.push({ file, line: 1 + ((err as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line ?? 1), message: `front matter: ${(err as Error).message.split('\n')[0]}` });
    return { end: close + 1, data: {} };
  }
  const parsed = frontMatterSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push({ file, line: 2, message: `front matter: ${issue.path.join('.') || '(top)'}: ${issue.message}` });
    return { end: close + 1, data: {} };
  }
  return { end: close + 1, data: parsed.data };
}

function parseMarkedText(file: string, text: string): ParseOutcome {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const problems: IngestProblem[] = [];
  const { end: bodyStart, data: front } = readFrontMatter(file, lines, problems);
  const blank = (i: number) => !lines[i]!.trim() || THEMATIC_BREAK.test(lines[i]!);
  let first = bodyStart;
  while (first < lines.length && blank(first)) first++;
  let last = lines.length - 1;
  while (last >= first && blank(last)) last--;
  if (first > last) return problemList(file, [...problems, { file, line: Math.max(1, first), message: 'the document has no portions' }]);

  let banner: Label | null = null;
  const top = readBanner(lines[first]!);
  if (top === 'invalid') problems.push({ file, line: first + 1, message: `the banner line "${lines[first]!.trim().slice(0, 80)}" is not a valid marking` });
  else if (top) { banner = top; first++; }
  // A bottom banner stands alone after a blank line; otherwise the line belongs to a paragraph.
  const bottom = last > first && blank(last - 1) ? readBanner(lines[last]!) : null;
  if (bottom && bottom !== 'invalid') {
    if (banner && formatBanner(bottom) !== formatBanner(banner)) {
      problems.push({ file, line: last + 1, message: `the bottom banner ${formatBanner(bottom)} differs from the top banner ${formatBanner(banner)}` });
    }
    banner ??= bottom;
    last--;
  }

  const names = (front.us_persons ?? []).map(normaliseName).filter(Boolean);
  const portions: ParsedPortion[] = [];
  const headings = new Map<number, string>();
  let draft: Draft | null = null;
  let orphan = false;
  const close = () => {
    if (!draft) return;
    const built = buildPortion(file, draft.line, portions.length + 1, draft.label, draft.parts.join(' '), names);
    if (built.ok) portions.push(built.portion);
    else problems.push(built.problem);
    if (draft.heading && built.ok) headings.set(built.portion.index, built.portion.text.replace(/^#+\s*/, ''));
    draft = null;
  };

  for (let i = first; i <= last && problems.length < MAX_PROBLEMS; i++) {
    const line = lines[i]!;
    if (blank(i)) { close(); orphan = false; continue; }
    const m = PORTION_START.exec(line);
    const mark = m ? tryParseMarking(`(${m[2]})`) : null;
    const starts = draft === null && !orphan;
    if (m && mark && (mark.ok || starts)) {
      close();
      if (!mark.ok) { problems.push({ file, line: i + 1, message: `invalid portion mark "(${m[2]!.slice(0, 60)})": ${mark.error.message}` }); orphan = true; continue; }
      draft = { line: i + 1, label: mark.label, heading: /^\s*#/.test(m[1]!), parts: [line.slice(m[0].length)] };
    } else if (draft) {
      (draft as Draft).parts.push(line.trim());
    } else if (!orphan) {
      problems.push({ file, line: i + 1, message: 'the paragraph has no portion mark: start it with one, e.g. "(U)" or "(S//NF)"' });
      orphan = true;
    }
  }
  close();
  if (problems.length === 0 && portions.length === 0) problems.push({ file, line: first + 1, message: 'the document has no portions' });

  const rollUp = leastUpperBound(portions.map((p) => p.label));
  if (banner && portions.length > 0 && formatBanner(banner) !== formatBanner(rollUp)) {
    problems.push({ file, line: bodyStart + 1, message: `the banner ${formatBanner(banner)} does not match the roll-up of the portions, ${formatBanner(rollUp)}` });
  }
  const titleProblem = front.title === undefined ? null : checkTitle(front.title);
  if (titleProblem) problems.push({ file, line: 2, message: titleProblem });
  const id = front.id ?? documentIdFromPath(file);
  if (!DOCUMENT_ID.test(id)) problems.push({ file, line: 1, message: 'no document id: name the file with letters and digits, or set id: in front matter' });
  if (problems.length > 0) return problemList(file, problems);

  // A heading becomes the title only if it is plainly UNCLASSIFIED: the title is shown with every portion.
  const plain = portions.find((p) => headings.has(p.index) && p.label.level === 0 && formatBanner(p.label) === 'UNCLASSIFIED');
  const title = front.title ?? (plain ? headings.get(plain.index)! : id);
  return { ok: true, documents: [{ id, title, source: file, banner: rollUp, digest: sha256Hex(text), portions }] };
}

/**
 * Parses one file's text into documents (one for text and Markdown, one per line for JSONL), or
 * the problems that reject it, each naming `path` and a line. Pure: reads nothing but its arguments.
 * @example parseDocument('notes.md', '(U) The depot reopened.') // { ok: true, documents: [...] }
 */
export function parseDocument(path: string, text: string): ParseOutcome {
  if (typeof text !== 'string') return { ok: false, problems: [{ file: path, line: 1, message: 'the file is not text' }] };
  if (text.includes('\u0000')) return { ok: false, problems: [{ file: path, line: 1, message: 'the file is binary (it contains NUL bytes)' }] };
  if (path.toLowerCase().endsWith('.jsonl')) return parseJsonl(path, text);
  return parseMarkedText(path, text);
}
