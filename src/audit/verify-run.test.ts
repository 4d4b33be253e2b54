/** Verification with checkpoint signatures checked on worker threads gives the same verdicts as inline. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BENCH_ORIGIN, writeSyntheticExport } from './bench.ts';
import { checkpointKeysFromRing } from './checkpoint.ts';
import { EXPORT_FILES, parseCheckpointLine } from './export-format.ts';
import { scanEntryLinks } from './entry-scan.ts';
import { verifyLog } from './verify-run.ts';
import { verifyExportDirectory } from './verify-export.ts';
import { tempDir, testRing } from './test-support.ts';

const keys = checkpointKeysFromRing(BENCH_ORIGIN, testRing());
let tmp: { dir: string; cleanup: () => Promise<void> };
let lines: string[];
let notes: string[];

describe('verification with many checkpoints', () => {
  before(async () => {
    tmp = await tempDir();
    assert.equal(await writeSyntheticExport(tmp.dir, 90, 1, keys), 90);
    lines = (await readFile(join(tmp.dir, EXPORT_FILES.entries), 'utf8')).trim().split('\n');
    notes = (await readFile(join(tmp.dir, EXPORT_FILES.checkpoints), 'utf8')).trim().split('\n').map((l) => parseCheckpointLine(l).note);
  });
  after(() => tmp.cleanup());

  it('verifies a bundle with a checkpoint per entry on worker threads', async () => {
    const v = await verifyExportDirectory(tmp.dir);
    assert.ok(v.result.ok && v.result.checkpoints === 90 && v.result.size === 90);
  });

  it('names a forged checkpoint among many, on workers and inline alike', async () => {
    const forged = [...notes];
    const parts = forged[70]!.split('\n');
    parts[2] = `${parts[2]![0] === 'A' ? 'B' : 'A'}${parts[2]!.slice(1)}`; // the root hash line
    forged[70] = parts.join('\n');
    const onWorkers = await verifyLog({ entries: lines, checkpoints: forged, keys: keys.verifiers, origin: BENCH_ORIGIN });
    const inline = await verifyLog({ entries: lines, checkpoints: forged, keys: keys.verifiers, origin: BENCH_ORIGIN, parallel: false });
    assert.deepEqual(onWorkers, inline);
    assert.equal(!onWorkers.ok && onWorkers.code, 'CHECKPOINT_SIGNATURE');
    assert.equal(!onWorkers.ok && onWorkers.checkpoint, 70);
  });

  it('reports the first bad checkpoint before any entry problem', async () => {
    const edited = [...lines];
    edited.splice(10, 1);
    const forged = [...notes];
    forged[80] = forged[80]!.replace('\u2014 ', '- ');
    const r = await verifyLog({ entries: edited, checkpoints: forged, keys: keys.verifiers, origin: BENCH_ORIGIN });
    assert.equal(!r.ok && r.code, 'CHECKPOINT_MALFORMED');
    assert.equal(!r.ok && r.checkpoint, 80);
  });
});

describe('entry link scanner', () => {
  it('reads seq and prev like JSON.parse does', () => {
    const text = '{"a":{"seq":99,"s":"}\\"{"},"b":[1,{"prev":"x"}],"prev":"QUJD","seq":12,"z":null}';
    const r = scanEntryLinks(new TextEncoder().encode(text));
    assert.ok(r.ok);
    assert.equal(r.ok && r.seq, 12);
    assert.equal(r.ok && text.slice(r.prevStart, r.prevEnd), 'QUJD');
  });

  for (const bad of ['', 'null', '[]', '{"seq":-1}', '{"seq":1.5}', '{"seq":01}', '{"seq":"1"}', '{"seq":1,"seq":2}', '{"seq":1', '{"seq":1}x', '{"a":"unterminated}', '{"prev":1,"seq":1}', '{"a":1}']) {
    it(`rejects ${JSON.stringify(bad)}`, () => assert.equal(scanEntryLinks(new TextEncoder().encode(bad)).ok, false));
  }
});
