/** Parser for the hand-written source files the dataset generator composes. */
import { z } from 'zod';
import { GUARD_CATEGORIES, type GuardCategory, type GuardSource } from '../types.ts';

export type Lang = 'en' | 'es' | 'fr' | 'de';

/**
 * A section of a source file. Headers:
 *   @examples FAMILY LABEL LANG [hard] [source=retrieved|tool|output]  whole examples, one per line
 *   @cores FAMILY LABEL LANG [hard]        core requests, used bare and inside frames
 *   @templates FAMILY LABEL LANG [hard]    lines with {slot} references, expanded from slot pools
 *   @frames FAMILY LANG                    wrappers: {} (core as written), {lc} (first letter lower-cased),
 *                                          {benign} (a benign core of the same split)
 *   @slot NAME LANG                        values for {NAME}
 * Lines starting with '#' are comments; '\n' in a line is a newline.
 */
export interface Section {
  kind: 'examples' | 'cores' | 'templates' | 'frames' | 'slot';
  name: string;
  lang: Lang;
  label: GuardCategory;
  hard: boolean;
  source?: GuardSource;
  lines: string[];
  file: string;
}

const LangSchema = z.enum(['en', 'es', 'fr', 'de']);
const LabelSchema = z.enum(GUARD_CATEGORIES);
const SourceSchema = z.enum(['user', 'retrieved', 'tool', 'output']);

function parseHeader(line: string, file: string, lineNo: number): Section {
  const [tag, name, ...rest] = line.slice(1).trim().split(/\s+/);
  const where = `${file}:${lineNo}`;
  if (!name) throw new Error(`${where}: section without a name`);
  const kind = z.enum(['examples', 'cores', 'templates', 'frames', 'slot']).parse(tag);
  if (kind === 'frames' || kind === 'slot') {
    return { kind, name, lang: LangSchema.parse(rest[0]), label: 'none', hard: false, lines: [], file };
  }
  const label = LabelSchema.parse(rest[0]);
  const lang = LangSchema.parse(rest[1]);
  const flags = rest.slice(2);
  const src = flags.find((f) => f.startsWith('source='));
  const section: Section = { kind, name, lang, label, hard: flags.includes('hard'), lines: [], file };
  if (src) section.source = SourceSchema.parse(src.slice('source='.length));
  if (section.hard && label !== 'none') throw new Error(`${where}: only 'none' sections can be hard negatives`);
  return section;
}

/** Parses one source file into sections. */
export function parseSources(text: string, file: string): Section[] {
  const sections: Section[] = [];
  let current: Section | null = null;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    if (line.startsWith('@')) {
      try {
        current = parseHeader(line, file, i + 1);
      } catch (err) {
        throw new Error(`${file}:${i + 1}: bad section header "${line}"`, { cause: err });
      }
      sections.push(current);
      return;
    }
    if (!current) throw new Error(`${file}:${i + 1}: text before the first section header`);
    (current as Section).lines.push(line.replace(/\\n/g, '\n'));
  });
  return sections;
}
