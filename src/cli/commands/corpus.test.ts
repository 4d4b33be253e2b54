/** `enclave corpus ingest|list|remove` in-process, against a SQLite store from a config file. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../args.ts';
import { bufferIO } from '../io.ts';
import { corpusCommand } from './corpus.ts';

describe('enclave corpus', () => {
  let dir: string;
  let config: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'enclave-cli-corpus-'));
    config = join(dir, 'enclave.yaml');
    writeFileSync(config, `data_dir: ${dir}\nmodels:\n  - { id: q, backend: extractive }\n`);
    writeFileSync(join(dir, 'bad.md'), '(U) A good first paragraph.\n\n(S//NF) Fine.\nStill the same paragraph.\n\nNo portion mark here.\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('ingests the demo corpus with a summary line and no bar off a terminal', async () => {
    const io = bufferIO();
    assert.equal(await corpusCommand(['ingest', 'demo/corpus', '--config', config], io), 0);
    assert.equal(io.out(), '');
    assert.match(io.err(), /^ingested 7 documents \(22 portions, 22 chunks\) from 4 of 4 files in \d+\.\d s, \d+ portions\/s\n$/);
  });

  it('reports a rejected file as FILE:LINE and exits 1, storing nothing of it', async () => {
    const io = bufferIO();
    assert.equal(await corpusCommand(['ingest', join(dir, 'bad.md'), '--config', config], io), 1);
    assert.match(io.err(), new RegExp(`enclave corpus: ${join(dir, 'bad.md').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:6: the paragraph has no portion mark`));
    assert.match(io.err(), /ingested 0 documents .* from 0 of 1 files .*; 1 file rejected/);
    const list = bufferIO();
    assert.equal(await corpusCommand(['list', '--config', config], list), 0);
    assert.doesNotMatch(list.out(), /^bad /m);
  });

  it('lists documents with banner and title, and removes one', async () => {
    const list = bufferIO();
    assert.equal(await corpusCommand(['list', '--config', config], list), 0);
    assert.match(list.out(), /^ID\s+BANNER\s+PORTIONS\s+INGESTED\s+TITLE\n/);
    assert.match(list.out(), /^northern-depot-status\s+TOP SECRET\/\/SI\/TK\/\/NOFORN\s+6\s+\S+\s+Northern depot status report, March$/m);
    assert.equal(list.out().trim().split('\n').length, 8);
    const rm = bufferIO();
    assert.equal(await corpusCommand(['remove', 'liaison-note', '--config', config], rm), 0);
    assert.equal(rm.out(), 'removed liaison-note\n');
    const again = bufferIO();
    assert.equal(await corpusCommand(['remove', 'liaison-note', '--config', config], again), 1);
    assert.match(again.err(), /no document liaison-note/);
  });

  it('refuses bad usage', async () => {
    assert.equal(await corpusCommand(['reindex'], bufferIO()), 2);
    await assert.rejects(corpusCommand(['ingest', '--config', config], bufferIO()), UsageError);
    await assert.rejects(corpusCommand(['remove', '--config', config], bufferIO()), UsageError);
    await assert.rejects(corpusCommand(['list', '--colour'], bufferIO()), UsageError);
  });
});
