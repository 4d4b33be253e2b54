/**
 * Checkpoints signed on the signing thread are the same signed notes the inline signer makes:
 * both signatures verify with the ring's public keys, the log's checkpoints chain, and a thread
 * that dies does not stop checkpoints (the same keys then sign inline).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkpointKeysFromRing, signCheckpoint, verifyCheckpoint } from './checkpoint.ts';
import { startCheckpointSigner, type CheckpointSigner } from './checkpoint-signer.ts';
import { openFileLog, sampleRecord, tempDir, testRing, TEST_ORIGIN } from './test-support.ts';

const ring = testRing();
const { signers, verifiers } = checkpointKeysFromRing(TEST_ORIGIN, ring);
const root = new Uint8Array(32).map((_, i) => i * 7);

describe('checkpoint signing thread', () => {
  it('signs a note that verifies with both keys and has the inline signer\'s body', async () => {
    const signer = startCheckpointSigner(TEST_ORIGIN, ring);
    try {
      const note = await signer.sign({ size: 42, rootHash: root });
      const v = verifyCheckpoint(note, { keys: verifiers, origin: TEST_ORIGIN, hashAlgorithm: 'sha256' });
      assert.ok(v.ok, v.ok ? '' : v.message);
      assert.deepEqual(v.verifiedBy.map((k) => k.algorithm).sort(), ['ed25519', 'ml-dsa-87']);
      assert.equal(v.checkpoint.size, 42);
      assert.deepEqual(v.checkpoint.rootHash, root);
      const inline = signCheckpoint({ origin: TEST_ORIGIN, size: 42, rootHash: root }, signers);
      assert.equal(note.split('\n\n')[0], inline.split('\n\n')[0], 'same checkpoint body');
      // Ed25519 is deterministic (RFC 8032): the thread used the very same key.
      const ed = (n: string) => n.split('\n').find((l) => l.startsWith('\u2014') && l.includes(TEST_ORIGIN));
      assert.equal(ed(note), ed(inline));
    } finally {
      await signer.close();
    }
  });

  it('signs concurrent requests each with its own body', async () => {
    const signer = startCheckpointSigner(TEST_ORIGIN, ring);
    try {
      const notes = await Promise.all([1, 2, 3].map((size) => signer.sign({ size, rootHash: root })));
      notes.forEach((note, i) => {
        const v = verifyCheckpoint(note, { keys: verifiers, origin: TEST_ORIGIN, hashAlgorithm: 'sha256' });
        assert.ok(v.ok && v.checkpoint.size === i + 1);
      });
    } finally {
      await signer.close();
    }
  });

  it('refuses after close', async () => {
    const signer = startCheckpointSigner(TEST_ORIGIN, ring);
    await signer.close();
    await assert.rejects(signer.sign({ size: 1, rootHash: root }), (e: unknown) => (e as { code?: string }).code === 'CLOSED');
  });

  it('an AuditLog with the thread keeps consistent, verifiable checkpoints', async () => {
    const { dir, cleanup } = await tempDir();
    const { log } = await openFileLog(dir, { signer: startCheckpointSigner(TEST_ORIGIN, ring) });
    try {
      for (let i = 0; i < 5; i++) await log.append(sampleRecord(i));
      const first = await log.checkpoint();
      for (let i = 5; i < 9; i++) await log.append(sampleRecord(i));
      const second = await log.checkpoint();
      assert.equal(first?.size, 5);
      assert.equal(second?.size, 9);
      await log.consistency(5, 9);
      const result = await log.verify({ strict: true });
      assert.ok(result.ok, JSON.stringify(result));
    } finally {
      await log.close();
      await cleanup();
    }
  });

  it('falls back to inline signing when the thread fails, and reports it', async () => {
    const { dir, cleanup } = await tempDir();
    const errors: unknown[] = [];
    const broken: CheckpointSigner = { sign: () => Promise.reject(new Error('thread gone')), close: async () => undefined };
    const { log } = await openFileLog(dir, { signer: broken, onError: (e) => errors.push(e) });
    try {
      await log.append(sampleRecord(0));
      const cp = await log.checkpoint();
      assert.ok(cp && verifyCheckpoint(cp.note, { keys: verifiers, origin: TEST_ORIGIN, hashAlgorithm: 'sha256' }).ok);
      assert.equal(errors.length, 1);
    } finally {
      await log.close();
      await cleanup();
    }
  });
});
