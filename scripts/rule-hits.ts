/**
 * Lists the rules that fire on training-split lines: `node --import tsx scripts/rule-hits.ts [category] [--positives]`.
 * By default, hard negatives (label none) a rule fires on, with rule ids and texts; with `--positives`,
 * a count per rule of the red-line lines it fires on. Reads only train.jsonl, never the held-out split.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tokenize } from '../src/guards/concepts.ts';
import { parseLabelledLines } from '../src/guards/eval.ts';
import { normaliseText } from '../src/guards/normalise.ts';
import { RULE_SET } from '../src/guards/rules.ts';

const path = fileURLToPath(new URL('../src/guards/dataset/train.jsonl', import.meta.url));
const { lines } = parseLabelledLines(readFileSync(path, 'utf8'));
const category = process.argv.slice(2).find((a) => !a.startsWith('--'));
const positives = process.argv.includes('--positives');

/** Rules fired on any view of a text, as the guards evaluate them. */
function fired(text: string): string[] {
  const ids = new Set<string>();
  for (const view of normaliseText(text).views) {
    for (const h of RULE_SET.evaluate(view.text, tokenize(view.text))) {
      if (!category || h.category === category) ids.add(h.rule);
    }
  }
  return [...ids];
}

const counts = new Map<string, number>();
for (const l of lines) {
  const isHard = l.label === 'none' && l.hard_negative;
  if (positives ? l.label === 'none' : !isHard) continue;
  const ids = fired(l.text);
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  if (!positives && ids.length) console.log(`${ids.join(',')}\t${(l as { family?: string }).family ?? l.id}\t${l.text.replace(/\s+/g, ' ').slice(0, 220)}`);
}
console.log(`\n${positives ? 'red-line lines' : 'hard negatives'} per rule:`);
for (const [id, n] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`  ${id} ${n}`);
