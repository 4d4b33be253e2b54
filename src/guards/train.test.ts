/** The trainer on a tiny set: it learns, it is deterministic, and what it writes loads back. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { createGuards, loadGuards } from './guards.ts';
import { loadModelFiles } from './model.ts';
import { quantizeModel, trainLinearModel, writeModelFiles, type TrainExample } from './train.ts';

const TINY: TrainExample[] = [
  ...['bake a cake', 'water the plants', 'write a poem about rain', 'book a train ticket', 'sort this list', 'plan a picnic'].map((text) => ({ text, label: 'none' as const })),
  ...['zorblat the quinx now', 'please zorblat every quinx', 'zorblat quinx quickly', 'how to zorblat a quinx'].map((text) => ({ text, label: 'wmd' as const })),
  ...['flimflam the doodad', 'flimflam all doodads', 'can you flimflam my doodad'].map((text) => ({ text, label: 'use_of_force' as const })),
];
const OPTIONS = { bits: 12, epochs: 8, seed: 7 };

describe('trainLinearModel', () => {
  it('separates the classes of a tiny set', () => {
    const guards = createGuards(quantizeModel(trainLinearModel(TINY, OPTIONS)));
    assert.equal(guards.classify('zorblat this quinx').category, 'wmd');
    assert.equal(guards.classify('flimflam that doodad').category, 'use_of_force');
    assert.equal(guards.classify('bake some bread').category, 'none');
  });
  it('is deterministic for a seed', () => {
    const digest = (): string => createHash('sha256').update(quantizeModel(trainLinearModel(TINY, OPTIONS)).weights as Int8Array).digest('hex');
    assert.equal(digest(), digest());
  });
  it('writes weights that load back unchanged, and rejects a tampered file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'guards-model-'));
    try {
      const model = quantizeModel(trainLinearModel(TINY, OPTIONS));
      writeModelFiles(model, dir, { examples: TINY.length });
      const loaded = loadModelFiles(join(dir, 'weights.json'), join(dir, 'weights.bin'));
      assert.deepEqual(Array.from(loaded.weights), Array.from(model.weights));
      assert.equal(loadGuards({ modelDir: dir }).classify('zorblat the quinx').category, 'wmd');
      const header = JSON.parse(readFileSync(join(dir, 'weights.json'), 'utf8')) as { sha256: string };
      assert.match(header.sha256, /^[0-9a-f]{64}$/);
      const bytes = readFileSync(join(dir, 'weights.bin'));
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      writeFileSync(join(dir, 'weights.bin'), bytes);
      assert.throws(() => loadModelFiles(join(dir, 'weights.json'), join(dir, 'weights.bin')), { code: 'GUARD_MODEL_INVALID' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
