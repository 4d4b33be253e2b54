/**
 * Tamper tests: build a real log, export it, alter the bundle the way an insider with file or
 * database access could, and check that verification fails and names the place.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createKeyRing, formatNoteVerifierKey, type NoteVerifierKey } from '../crypto/index.ts';
import { checkpointKeysFromRing, signCheckpoint } from './checkpoint.ts';
import { canonicalJson } from './entry.ts';
import { EXPORT_FILES, formatCheckpointLine, parseCheckpointLine } from './export-format.ts';
import { leafHash } from './tree-hash.ts';
import { rootFromLeaves } from './merkle.ts';
import type { VerifyResult } from './verifier.ts';
import { verifyLog } from './verify-run.ts';
import { verifyExportDirectory } from './verify-export.ts';
import { openFileLog, sampleRecord, tempDir, testRing, TEST_ORIGIN } from './test-support.ts';
import type { StoredCheckpoint } from './store.ts';

interface Bundle {
  lines: string[];
  checkpoints: StoredCheckpoint[];
}

let root: { dir: string; cleanup: () => Promise<void> };
let pristine: string;
let original: Bundle;
let caseNo = 0;

async function readBundle(dir: string): Promise<Bundle> {
  const lines = (await readFile(join(dir, EXPORT_FILES.entries), 'utf8')).split('\n').filter((l) => l.length > 0);
  const checkpoints = (await readFile(join(dir, EXPORT_FILES.checkpoints), 'utf8')).split('\n').filter((l) => l.length > 0).map(parseCheckpointLine);
  return { lines, checkpoints };
}

/** Writes an altered copy of the pristine bundle and verifies it. */
async function verifyAltered(alter: (b: Bundle) => Bundle | void, options: Parameters<typeof verifyExportDirectory>[1] = {}): Promise<VerifyResult> {
  const dir = join(root.dir, `case-${caseNo++}`);
  await cp(pristine, dir, { recursive: true });
  const b: Bundle = { lines: [...original.lines], checkpoints: [...original.checkpoints] };
  const out = alter(b) ?? b;
  await writeFile(join(dir, EXPORT_FILES.entries), out.lines.map((l) => `${l}\n`).join(''));
  await writeFile(join(dir, EXPORT_FILES.checkpoints), out.checkpoints.map(formatCheckpointLine).join(''));
  const fromFiles = (await verifyExportDirectory(dir, options)).result;
  // The generic, storage-free verifier must reach the same verdict from in-memory inputs.
  const keys = options.keys ?? checkpointKeysFromRing(TEST_ORIGIN, testRing()).verifiers;
  if (!options.extraCheckpoints) {
    const fromMemory = await verifyLog({ entries: out.lines, checkpoints: out.checkpoints.map((c) => c.note), keys, origin: TEST_ORIGIN });
    assert.deepEqual(fromMemory, fromFiles);
  }
  return fromFiles;
}

const edit = (line: string, change: (e: Record<string, unknown>) => void) => {
  const e = JSON.parse(line) as Record<string, unknown>;
  change(e);
  return canonicalJson(e);
};
const hashOf = (line: string) => Buffer.from(leafHash(new TextEncoder().encode(line))).toString('base64');

function expectFailure(r: VerifyResult, code: string, index: number): void {
  assert.equal(r.ok, false, 'verification should fail');
  if (r.ok) return;
  assert.equal(r.code, code, r.message);
  assert.equal(r.index, index, r.message);
  assert.match(r.message, new RegExp(String(index)));
}

describe('verifying a tampered export', () => {
  before(async () => {
    root = await tempDir();
    const { log } = await openFileLog(join(root.dir, 'log'));
    for (let size = 10; size <= 40; size += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => log.append(sampleRecord(size - 10 + i))));
      await log.checkpoint();
    }
    pristine = join(root.dir, 'pristine');
    await log.export(pristine);
    await log.close();
    original = await readBundle(pristine);
    assert.equal(original.lines.length, 40);
    assert.deepEqual(original.checkpoints.map((c) => c.size), [10, 20, 30, 40]);
  });
  after(() => root.cleanup());

  it('accepts the untouched bundle', async () => {
    const r = await verifyAltered(() => undefined);
    assert.ok(r.ok && r.size === 40 && r.checkpointedSize === 40 && r.uncovered === 0);
  });

  it('edit: names the edited entry through the next entry\'s link', async () => {
    expectFailure(await verifyAltered((b) => void (b.lines[15] = edit(b.lines[15]!, (e) => (e.decision = 'allow' === e.decision ? 'deny' : 'allow')))), 'ENTRY_ALTERED', 15);
  });

  it('edit with every later link rewritten: the checkpoint catches it and names the range', async () => {
    const r = await verifyAltered((b) => {
      b.lines[15] = edit(b.lines[15]!, (e) => (e.actor = 'mallory'));
      for (let i = 16; i < b.lines.length; i++) {
        const prev = hashOf(b.lines[i - 1]!);
        b.lines[i] = edit(b.lines[i]!, (e) => (e.prev = prev));
      }
    });
    expectFailure(r, 'ROOT_MISMATCH', 10);
    assert.match(!r.ok ? r.message : '', /10\.\.19/);
  });

  it('edit of the last entry: caught by the checkpoint that covers it', async () => {
    expectFailure(await verifyAltered((b) => void (b.lines[39] = edit(b.lines[39]!, (e) => (e.reason = 'nothing to see')))), 'ROOT_MISMATCH', 30);
  });

  it('delete: names the missing entry', async () => {
    expectFailure(await verifyAltered((b) => void b.lines.splice(15, 1)), 'ENTRY_DELETED', 15);
  });

  it('reorder (swap): names the first displaced position', async () => {
    expectFailure(await verifyAltered((b) => void ([b.lines[15], b.lines[16]] = [b.lines[16]!, b.lines[15]!])), 'ENTRY_REORDERED', 15);
  });

  it('reorder (move later): names where the entry belongs', async () => {
    expectFailure(await verifyAltered((b) => void b.lines.splice(30, 0, ...b.lines.splice(5, 1))), 'ENTRY_REORDERED', 5);
  });

  it('insert (fabricated entry that links correctly): names the insertion', async () => {
    const r = await verifyAltered((b) => {
      const fake = edit(b.lines[15]!, (e) => {
        e.actor = 'mallory';
        e.decision = 'allow';
      });
      b.lines.splice(15, 0, fake);
    });
    expectFailure(r, 'ENTRY_INSERTED', 15);
  });

  it('insert (copy of an earlier entry): names the position of the copy', async () => {
    expectFailure(await verifyAltered((b) => void b.lines.splice(20, 0, b.lines[3]!)), 'ENTRY_INSERTED', 20);
  });

  it('truncate: names where the log now ends', async () => {
    expectFailure(await verifyAltered((b) => void b.lines.splice(35)), 'LOG_TRUNCATED', 35);
  });

  it('truncate with the covering checkpoint removed: a witnessed checkpoint still catches it', async () => {
    const cut = (b: Bundle) => {
      b.lines.splice(35);
      b.checkpoints.pop();
    };
    const unwitnessed = await verifyAltered(cut);
    assert.ok(unwitnessed.ok && unwitnessed.checkpointedSize === 30 && unwitnessed.uncovered === 5);
    expectFailure(await verifyAltered(cut, { extraCheckpoints: [original.checkpoints[3]!.note] }), 'LOG_TRUNCATED', 35);
  });

  it('forged checkpoint (root edited): names the checkpoint', async () => {
    const r = await verifyAltered((b) => {
      const cp = b.checkpoints[1]!;
      const other = Buffer.from(new Uint8Array(32).fill(7)).toString('base64');
      b.checkpoints[1] = { ...cp, note: cp.note.replace(Buffer.from(cp.rootHash).toString('base64'), other) };
    });
    expectFailure(r, 'CHECKPOINT_SIGNATURE', 20);
    assert.equal(!r.ok && r.checkpoint, 1);
  });

  it('forged checkpoint (signed by an attacker key): rejected', async () => {
    const mallory = checkpointKeysFromRing(TEST_ORIGIN, createKeyRing());
    const r = await verifyAltered((b) => void b.checkpoints.push({ ...b.checkpoints[3]!, size: 41, note: signCheckpoint({ origin: TEST_ORIGIN, size: 41, rootHash: new Uint8Array(32) }, mallory.signers) }));
    expectFailure(r, 'CHECKPOINT_SIGNATURE', 41);
  });

  it('whole bundle re-signed with new keys: pinned keys reject it', async () => {
    const mallory = checkpointKeysFromRing(TEST_ORIGIN, createKeyRing());
    const resign = (b: Bundle) => {
      b.lines[15] = edit(b.lines[15]!, (e) => (e.actor = 'mallory'));
      for (let i = 16; i < b.lines.length; i++) {
        const prev = hashOf(b.lines[i - 1]!);
        b.lines[i] = edit(b.lines[i]!, (e) => (e.prev = prev));
      }
      b.checkpoints = [{ ...b.checkpoints[3]!, note: signCheckpoint({ origin: TEST_ORIGIN, size: 40, rootHash: rootFromLeaves(b.lines.map((l) => new TextEncoder().encode(l))) }, mallory.signers) }];
    };
    const pinned: NoteVerifierKey[] = checkpointKeysFromRing(TEST_ORIGIN, testRing()).verifiers;
    expectFailure(await verifyAltered(resign, { keys: pinned }), 'CHECKPOINT_SIGNATURE', 40);
    // With the attacker's keys in pubkeys.txt and nothing pinned, only the key fingerprints differ.
    const dir = join(root.dir, 'resigned');
    await cp(pristine, dir, { recursive: true });
    const b = { lines: [...original.lines], checkpoints: [...original.checkpoints] };
    resign(b);
    await writeFile(join(dir, EXPORT_FILES.entries), b.lines.map((l) => `${l}\n`).join(''));
    await writeFile(join(dir, EXPORT_FILES.checkpoints), b.checkpoints.map(formatCheckpointLine).join(''));
    await writeFile(join(dir, EXPORT_FILES.pubkeys), mallory.verifiers.map((k) => `${formatNoteVerifierKey(k)}\n`).join(''));
    const unpinned = await verifyExportDirectory(dir);
    assert.ok(unpinned.result.ok && unpinned.keysFromBundle);
    assert.notDeepEqual(unpinned.keys.map((k) => k.keyId), pinned.map((k) => k.keyId));
  });

  it('fork (two validly signed checkpoints of one size): reported as a conflict', async () => {
    const signers = checkpointKeysFromRing(TEST_ORIGIN, testRing()).signers;
    const r = await verifyAltered((b) => void b.checkpoints.push({ ...b.checkpoints[1]!, note: signCheckpoint({ origin: TEST_ORIGIN, size: 20, rootHash: new Uint8Array(32).fill(5) }, signers) }));
    expectFailure(r, 'CHECKPOINT_CONFLICT', 20);
  });

  it('garbage line: names it', async () => {
    expectFailure(await verifyAltered((b) => void (b.lines[7] = 'not json')), 'ENTRY_MALFORMED', 7);
  });

  it('oversized line (larger than the read buffer): names it and reads on', async () => {
    expectFailure(await verifyAltered((b) => void (b.lines[7] = 'x'.repeat(9 << 20))), 'ENTRY_MALFORMED', 7);
  });

  it('every checkpoint removed: refuses to vouch for the entries', async () => {
    expectFailure(await verifyAltered((b) => void (b.checkpoints = [])), 'NO_CHECKPOINT', 0);
  });
});
