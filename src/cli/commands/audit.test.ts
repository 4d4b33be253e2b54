/** `enclave audit`, run in-process over a file-backed log: every subcommand and verify's verdicts. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { AuditLog, checkpointKeysFromRing, createExportStore, parseCheckpointBody, verifyConsistency, verifyInclusion } from '../../audit/index.ts';
import { createKeyRing, fromBase64, parseSignedNote } from '../../crypto/index.ts';
import { UsageError } from '../args.ts';
import { bufferIO } from '../io.ts';
import { auditCommand, createAuditCommand } from './audit.ts';

const ORIGIN = 'audit.test.invalid/enclave';
const ring = createKeyRing();
let tmp: string;
const logDir = () => join(tmp, 'log');

/** What the lead's wiring does with the deployment's store; here, a file-backed one. */
async function openAuditLog(): Promise<AuditLog> {
  const store = await createExportStore(logDir(), { origin: ORIGIN });
  return AuditLog.open({ store, origin: ORIGIN, keys: checkpointKeysFromRing(ORIGIN, ring), checkpointIntervalMs: 0, closeStore: () => store.close() });
}

const command = createAuditCommand({ openAuditLog, actor: 'auditor-1' });

function record(i: number) {
  return {
    kind: 'request',
    actor: `user-${i % 5}`,
    decision: i % 4 === 0 ? 'deny' : 'allow',
    time: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
  };
}

async function run(cmd: typeof command, ...argv: string[]) {
  const io = bufferIO();
  const code = await cmd(argv, io);
  return { code, out: io.out(), err: io.err() };
}

const rootOf = (note: string) => parseCheckpointBody(parseSignedNote(note).text).rootHash;

describe('enclave audit', () => {
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'enclave-cli-audit-'));
    const log = await openAuditLog();
    await Promise.all(Array.from({ length: 25 }, (_, i) => log.append(record(i))));
    await log.close({ checkpoint: false });
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  it('checkpoint: signs and prints the checkpoint note', async () => {
    const r = await run(command, 'checkpoint');
    assert.equal(r.code, 0);
    assert.match(r.out, /^audit\.test\.invalid\/enclave\n25\n[A-Za-z0-9+/]{43}=\n\n\u2014 /);
    assert.equal(parseSignedNote(r.out).signatures.length, 2);
  });

  it('prove: prints the entry, an inclusion proof and the checkpoint', async () => {
    const r = await run(command, 'prove', '--index', '7');
    const b = JSON.parse(r.out) as { index: number; treeSize: number; entry: { seq: number }; leafHash: string; inclusionProof: string[]; checkpoint: string };
    assert.equal(b.entry.seq, 7);
    assert.ok(verifyInclusion(7, b.treeSize, fromBase64(b.leafHash), b.inclusionProof.map((p) => fromBase64(p)), rootOf(b.checkpoint)));
  });

  it('consistency: prints a proof between two sizes', async () => {
    const r = await run(command, 'consistency', '--from', '10', '--to', '25');
    const c = JSON.parse(r.out) as { fromRoot: string; toRoot: string; consistencyProof: string[]; toCheckpoint: string };
    assert.ok(verifyConsistency(10, 25, fromBase64(c.fromRoot), fromBase64(c.toRoot), c.consistencyProof.map((p) => fromBase64(p))));
    assert.deepEqual(rootOf(c.toCheckpoint), fromBase64(c.toRoot));
  });

  it('pubkey: prints both verifier keys', async () => {
    const r = await run(command, 'pubkey');
    const lines = r.out.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.ok(lines.every((l) => l.startsWith('audit.test.invalid/enclave+')));
  });

  it('search: filters by user, decision and time', async () => {
    const r = await run(command, 'search', '--user', 'user-4', '--decision', 'deny', '--since', '2025-01-01T00:00:01Z');
    assert.deepEqual(r.out.trim().split('\n').map((l) => (JSON.parse(l) as { seq: number }).seq), [4, 24]);
    await assert.rejects(run(command, 'search', '--since', 'yesterday'), UsageError);
  });

  describe('export and verify', () => {
    const exportDir = () => join(tmp, 'bundle');
    const keysFile = () => join(tmp, 'pubkeys.txt');

    before(async () => {
      const r = await run(command, 'export', exportDir());
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /exported 25 entries/);
      await writeFile(keysFile(), (await run(command, 'pubkey')).out);
    });

    it('verifies a bundle with nothing but the directory, warning that keys are unpinned', async () => {
      const r = await run(auditCommand, 'verify', '--export', exportDir());
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /^OK: 25 entries/);
      assert.match(r.err, /keys were taken from the bundle/);
    });

    it('verifies with pinned keys without a warning, and as JSON', async () => {
      const r = await run(auditCommand, 'verify', '--export', exportDir(), '--keys', keysFile(), '--json');
      assert.equal(r.code, 0);
      assert.equal(r.err, '');
      assert.equal((JSON.parse(r.out) as { size: number }).size, 25);
    });

    it('fails naming the first bad index when an entry is deleted', async () => {
      const file = join(exportDir(), 'entries.jsonl');
      const text = await readFile(file, 'utf8');
      const lines = text.split('\n');
      lines.splice(12, 1);
      await writeFile(file, lines.join('\n'));
      try {
        const r = await run(auditCommand, 'verify', '--export', exportDir(), '--keys', keysFile());
        assert.equal(r.code, 1);
        assert.match(r.out, /^FAIL ENTRY_DELETED at index 12: /);
      } finally {
        await writeFile(file, text);
      }
    });

    it('verifies the live log the same way, including the export entry it recorded', async () => {
      const r = await run(command, 'verify', '--json');
      assert.equal(r.code, 0, r.out);
      assert.equal((JSON.parse(r.out) as { size: number }).size, 26);
      const last = await run(command, 'search', '--kind', 'export');
      assert.equal((JSON.parse(last.out) as { actor: string }).actor, 'auditor-1');
    });
  });

  describe('usage', () => {
    it('prints usage for an unknown subcommand', async () => {
      const r = await run(command, 'frobnicate');
      assert.equal(r.code, 2);
      assert.match(r.err, /usage:/);
    });

    it('rejects bad numbers and unknown flags', async () => {
      await assert.rejects(run(command, 'prove', '--index', '-1'), UsageError);
      await assert.rejects(run(command, 'prove', '--index', '1e3'), UsageError);
      await assert.rejects(run(command, 'prove', '--index', '1', '--bogus'), UsageError);
      await assert.rejects(run(command, 'export'), UsageError);
    });

    it('needs a deployment for everything but verify --export', async () => {
      await assert.rejects(run(auditCommand, 'checkpoint'), /verify --export/);
    });

    it('reports an index beyond the checkpoint as an expected failure', async () => {
      await assert.rejects(run(command, 'prove', '--index', '999'), { code: 'INVALID_PROOF_REQUEST' });
    });
  });
});
