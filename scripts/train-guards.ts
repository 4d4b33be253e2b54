/**
 * Trains the red-line classifier: `npm run train:guards`. Reads src/guards/dataset/train.jsonl,
 * calibrates thresholds on out-of-fold scores (folds by whole source section, as the held-out
 * split is built, so a fold never sees the theme, let alone the wording, it is scored on), retrains
 * on all of it, and writes src/guards/model/weights.{bin,json}. The held-out split is read only to
 * print the final report, and not at all with `--skip-heldout` (for development runs).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { calibrateThresholds, scoreLines, type ScoredLine } from '../src/guards/calibrate.ts';
import { evaluateGuards, formatReport, parseLabelledLines, type LabelledLine } from '../src/guards/eval.ts';
import { RED_LINES, type GuardThresholds } from '../src/guards/types.ts';
import { createGuards } from '../src/guards/guards.ts';
import { DEFAULT_TRAIN_OPTIONS, quantizeModel, trainLinearModel, writeModelFiles, type TrainExample } from '../src/guards/train.ts';

const root = (p: string): string => fileURLToPath(new URL(`../${p}`, import.meta.url));
const FOLDS = 4;

function readLines(path: string): LabelledLine[] {
  const { lines, errors } = parseLabelledLines(readFileSync(path, 'utf8'));
  if (errors.length) throw new Error(`${path}: ${errors.length} bad lines, first at line ${errors[0]?.line}: ${errors[0]?.error}`);
  return lines;
}

/** The source section of a line: its family less the core number and the frame or obfuscation suffix. */
const section = (l: LabelledLine): string => String((l as { family?: unknown }).family ?? l.id).replace(/\+.*$/, '').replace(/\.\d+$/, '');
const foldOf = (l: LabelledLine): number => createHash('sha256').update(section(l)).digest().readUInt32BE(0) % FOLDS;
const toExample = (l: LabelledLine): TrainExample => ({ text: l.text, label: l.label, hardNegative: l.hard_negative ?? false });

/** Section-fold recall and hard-negative false positives at the calibrated thresholds (the development measure). */
function printOutOfFold(scored: readonly ScoredLine[], th: GuardThresholds): void {
  const predict = (s: ScoredLine): string => RED_LINES.filter((c) => s.scores[c] >= th[c]).sort((a, b) => s.scores[b] - s.scores[a])[0] ?? 'none';
  const recall = RED_LINES.map((c) => {
    const pos = scored.filter((s) => s.label === c);
    return `${c} ${(pos.filter((s) => predict(s) === c).length / Math.max(1, pos.length)).toFixed(3)}`;
  });
  const hard = scored.filter((s) => s.label === 'none' && s.hardNegative);
  const fp = hard.filter((s) => predict(s) !== 'none').length / Math.max(1, hard.length);
  console.log(`out-of-fold recall: ${recall.join(', ')}; hard-negative false positives ${(fp * 100).toFixed(1)}%`);
}

const started = Date.now();
const train = readLines(root('src/guards/dataset/train.jsonl'));
console.log(`train: ${train.length} lines; calibrating on ${FOLDS} folds by source section`);

const outOfFold: ScoredLine[] = [];
for (let k = 0; k < FOLDS; k++) {
  const fold = quantizeModel(trainLinearModel(train.filter((l) => foldOf(l) !== k).map(toExample)));
  outOfFold.push(...scoreLines(createGuards(fold), train.filter((l) => foldOf(l) === k)));
  console.log(`  fold ${k + 1}/${FOLDS} scored`);
}
const log = (epoch: number, loss: number): void => { console.log(`  final epoch ${epoch} loss ${loss.toFixed(4)}`); };
const thresholds = calibrateThresholds(outOfFold, { mass_surveillance: 0.5, use_of_force: 0.5, wmd: 0.5, prompt_injection: 0.5 });
console.log(`thresholds from out-of-fold scores: ${JSON.stringify(thresholds)}`);
printOutOfFold(outOfFold, thresholds);

const model = quantizeModel(trainLinearModel(train.map(toExample), {}, log));
model.thresholds = thresholds;
const header = writeModelFiles(model, root('src/guards/model'), {
  examples: train.length,
  options: DEFAULT_TRAIN_OPTIONS,
  trainSha256: createHash('sha256').update(readFileSync(root('src/guards/dataset/train.jsonl'))).digest('hex'),
});
console.log(`wrote src/guards/model/weights.bin (${(1 << header.bits) * 5} bytes) and weights.json in ${((Date.now() - started) / 1000).toFixed(1)} s`);

if (process.argv.includes('--skip-heldout')) process.exit(0);
const heldout = readLines(root('src/guards/dataset/heldout.jsonl'));
const report = await evaluateGuards(createGuards(model), heldout);
console.log('\nheld-out split (never used for training or calibration):');
console.log(formatReport({ ...report, errors: [] }));
