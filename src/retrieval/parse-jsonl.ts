/**
 * Parses JSONL: one document per line, `{"id", "title", "label", "text", "us_persons"?}`. Every
 * paragraph of `text` carries `label`; a paragraph may repeat it as a leading portion mark but
 * may not carry a different one. Any bad line rejects the whole file.
 */
import { z } from 'zod';
import { formatBanner, formatPortion, tryParseMarking } from '../markings/index.ts';
import type { ParseOutcome } from './parse-document.ts';
import {
  DOCUMENT_ID, buildPortion, checkTitle, sha256Hex,
  type IngestProblem, type ParsedDocument, type ParsedPortion,
} from './portion.ts';
import { normaliseName } from './us-persons.ts';

const MAX_PROBLEMS = 20;
const LEADING_MARK = /^\(([^()\r\n]{1,300})\)[ \t]*/;

const lineSchema = z.object({
  id: z.string().regex(DOCUMENT_ID, 'letters, digits, . _ : - (max 128)'),
  title: z.string().min(1).max(300),
  label: z.string().min(1).max(512),
  text: z.string().min(1).max(4_000_000),
  us_persons: z.array(z.string().min(1).max(200)).max(1000).optional(),
}).strict();

function parseLine(file: string, line: number, raw: string): { ok: true; doc: ParsedDocument } | { ok: false; problems: IngestProblem[] } {
  const at = (message: string) => ({ ok: false as const, problems: [{ file, line, message }] });
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    return at(`not valid JSON: ${(err as Error).message}`);
  }
  const parsed = lineSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => ({ file, line, message: `${i.path.join('.') || '(line)'}: ${i.message}` })) };
  }
  const { id, title, text, us_persons: persons } = parsed.data;
  const mark = tryParseMarking(parsed.data.label);
  if (!mark.ok) return at(`label: ${mark.error.message}`);
  const titleProblem = checkTitle(title);
  if (titleProblem) return at(titleProblem);
  const label = mark.label;
  const names = (persons ?? []).map(normaliseName).filter(Boolean);
  const portions: ParsedPortion[] = [];
  const problems: IngestProblem[] = [];
  for (const paragraph of text.split(/\r?\n[ \t]*\r?\n/)) {
    let body = paragraph.trim();
    if (!body) continue;
    const m = LEADING_MARK.exec(body);
    const own = m ? tryParseMarking(`(${m[1]})`) : null;
    if (own?.ok) {
      if (formatBanner(own.label) !== formatBanner(label)) {
        problems.push({ file, line, message: `paragraph ${portions.length + 1} is marked ${formatPortion(own.label)} but the line's label is ${formatPortion(label)}` });
        continue;
      }
      body = body.slice(m![0].length);
    }
    const built = buildPortion(file, line, portions.length + 1, label, body, names);
    if (built.ok) portions.push(built.portion);
    else problems.push(built.problem);
  }
  if (problems.length > 0) return { ok: false, problems };
  if (portions.length === 0) return at('text has no paragraphs');
  return { ok: true, doc: { id, title, source: file, banner: label, digest: sha256Hex(raw), portions } };
}

/** Parses a JSONL file; problems name the file and the 1-based line. */
export function parseJsonl(file: string, text: string): ParseOutcome {
  const documents: ParsedDocument[] = [];
  const problems: IngestProblem[] = [];
  const seen = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length && problems.length < MAX_PROBLEMS; i++) {
    const raw = lines[i]!;
    if (!raw.trim()) continue;
    const r = parseLine(file, i + 1, raw);
    if (!r.ok) { problems.push(...r.problems); continue; }
    const before = seen.get(r.doc.id);
    if (before !== undefined) { problems.push({ file, line: i + 1, message: `duplicate id "${r.doc.id}" (first on line ${before})` }); continue; }
    seen.set(r.doc.id, i + 1);
    documents.push(r.doc);
  }
  if (problems.length === 0 && documents.length === 0) problems.push({ file, line: 1, message: 'the file has no documents' });
  return problems.length > 0 ? { ok: false, problems: problems.slice(0, MAX_PROBLEMS) } : { ok: true, documents };
}
