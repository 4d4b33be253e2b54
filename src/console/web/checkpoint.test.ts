/**
 * The console's in-browser checkpoint signature check, run under Node: a checkpoint signed by the
 * audit part's own code (an AuditLog with a real key ring, Ed25519 + ML-DSA-87) verifies against
 * the keys the gateway publishes, and every kind of tampering fails.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkpointKeysFromRing, signCheckpoint, verifyCheckpoint } from '../../audit/index.ts';
import { openFileLog, sampleRecord, tempDir, TEST_ORIGIN } from '../../audit/test-support.ts';
import type { AuditLog } from '../../audit/index.ts';
import { createKeyRing, createNoteSigner, formatNoteVerifierKey, generateEd25519KeyPair, parseNoteVerifierKey, signNote } from '../../crypto/index.ts';
import { fromBase64Strict, parseVerifierKey, verifyCheckpointSignatures } from './checkpoint.ts';
import { toHex } from './merkle.ts';

const EXPECT = { origin: TEST_ORIGIN, hash: 'SHA-256' as const };

/** Replaces the signature line `which` (0: Ed25519, 1: ML-DSA-87) of a note. */
function editSignature(note: string, which: number, edit: (sig: Buffer) => Buffer | undefined): string {
  const split = note.lastIndexOf('\n\n');
  const lines = note.slice(split + 2, -1).split('\n');
  const [dash, name, b64] = lines[which]!.split(' ') as [string, string, string];
  const changed = edit(Buffer.from(b64, 'base64'));
  if (changed) lines[which] = `${dash} ${name} ${changed.toString('base64')}`;
  else lines.splice(which, 1);
  return `${note.slice(0, split + 2)}${lines.join('\n')}\n`;
}

describe('browser checkpoint signatures', () => {
  let cleanup: () => Promise<void>;
  let log: AuditLog;
  let note: string;
  let keys: string[];
  let size: number;
  let root: Uint8Array;

  before(async () => {
    const tmp = await tempDir('enclave-web-checkpoint-');
    cleanup = tmp.cleanup;
    ({ log } = await openFileLog(tmp.dir));
    for (let i = 0; i < 5; i++) await log.append(sampleRecord(i));
    const cp = (await log.checkpoint())!;
    ({ note, size, rootHash: root } = cp);
    // What the console API publishes beside the checkpoint (audit-route.ts, as /v1/audit/checkpoint does).
    keys = log.verifierKeys().map(formatNoteVerifierKey);
  });
  after(async () => {
    await log?.close();
    await cleanup?.();
  });

  it('verifies both signatures of a checkpoint the audit log signed, and reads its body', () => {
    assert.ok(verifyCheckpoint(note, { keys: log.verifierKeys(), origin: TEST_ORIGIN }).ok, 'the gateway\'s own check agrees');
    const r = verifyCheckpointSignatures(note, keys, EXPECT);
    assert.ok(r.ok, r.ok ? '' : r.message);
    assert.equal(r.checkpoint.size, size);
    assert.equal(toHex(r.checkpoint.root), toHex(root));
    assert.deepEqual(r.verified.map((k) => k.algorithm).sort(), ['ed25519', 'ml-dsa-87']);
  });

  it('refuses a checkpoint whose size or root was changed after signing', () => {
    const [origin, sizeText, rootText] = note.split('\n') as [string, string, string];
    const bigger = note.replace(`${origin}\n${sizeText}\n`, `${origin}\n${Number(sizeText) + 1}\n`);
    const otherRoot = note.replace(rootText, Buffer.from(new Uint8Array(32).fill(7)).toString('base64'));
    for (const [what, tampered] of [['size', bigger], ['root', otherRoot]] as const) {
      assert.notEqual(tampered, note);
      const r = verifyCheckpointSignatures(tampered, keys, EXPECT);
      assert.equal(r.ok, false, what);
      assert.match(r.ok ? '' : r.message, /ed25519 signature by key [0-9a-f]{8} does not verify/, what);
    }
  });

  it('refuses a flipped bit in either signature', () => {
    const flip = (sig: Buffer) => { const c = Buffer.from(sig); c[c.length - 1]! ^= 0x01; return c; };
    const ed = verifyCheckpointSignatures(editSignature(note, 0, flip), keys, EXPECT);
    assert.match(ed.ok ? 'verified' : ed.message, /ed25519 signature .* does not verify/);
    const pq = verifyCheckpointSignatures(editSignature(note, 1, flip), keys, EXPECT);
    assert.match(pq.ok ? 'verified' : pq.message, /ml-dsa-87 signature .* does not verify/);
  });

  it('needs both algorithms: a note with only the Ed25519 or only the ML-DSA-87 line is not verified', () => {
    const edOnly = verifyCheckpointSignatures(editSignature(note, 1, () => undefined), keys, EXPECT);
    assert.match(edOnly.ok ? 'verified' : edOnly.message, /no ml-dsa-87 signature/);
    const pqOnly = verifyCheckpointSignatures(editSignature(note, 0, () => undefined), keys, EXPECT);
    assert.match(pqOnly.ok ? 'verified' : pqOnly.message, /no ed25519 signature/);
  });

  it('refuses a checkpoint re-signed with another key, even one claiming the published key\'s id', () => {
    const body = note.slice(0, note.lastIndexOf('\n\n') + 1);
    const other = checkpointKeysFromRing(TEST_ORIGIN, createKeyRing(new Date('2025-06-01T00:00:00Z')));
    const resigned = signCheckpoint({ origin: TEST_ORIGIN, size, rootHash: root }, other.signers);
    const r = verifyCheckpointSignatures(resigned, keys, EXPECT);
    assert.match(r.ok ? 'verified' : r.message, /no ed25519 signature from a published key/);
    // The same, but the forger writes the genuine key's id in front of its own Ed25519 signature.
    const genuineId = parseNoteVerifierKey(keys[0]!).keyId;
    const forger = createNoteSigner(TEST_ORIGIN, 'ed25519', generateEd25519KeyPair());
    const forged = signNote(body, [{ ...forger, keyId: genuineId }]);
    const withPq = `${forged}${note.slice(note.lastIndexOf('\n\n') + 2).split('\n')[1]}\n`;
    const f = verifyCheckpointSignatures(withPq, keys, EXPECT);
    assert.match(f.ok ? 'verified' : f.message, /ed25519 signature by key .* does not verify/);
  });

  it('ignores lines from keys that were not published, as signed-note says', () => {
    const stranger = createNoteSigner('witness.example/w1', 'ed25519', generateEd25519KeyPair());
    const body = note.slice(0, note.lastIndexOf('\n\n') + 1);
    const line = signNote(body, [stranger]).slice(body.length + 1);
    const r = verifyCheckpointSignatures(note + line, keys, EXPECT);
    assert.ok(r.ok, r.ok ? '' : r.message);
  });

  it('refuses another log\'s checkpoint, keys of another log, and a published key whose id does not match', () => {
    const wrongOrigin = verifyCheckpointSignatures(note, keys, { ...EXPECT, origin: 'other.example/log' });
    assert.equal(wrongOrigin.ok, false);
    const otherKeys = checkpointKeysFromRing(TEST_ORIGIN, createKeyRing(new Date('2025-06-01T00:00:00Z'))).verifiers.map(formatNoteVerifierKey);
    assert.match((r => r.ok ? 'verified' : r.message)(verifyCheckpointSignatures(note, otherKeys, EXPECT)), /no ed25519 signature from a published key/);
    const badId = keys[0]!.replace(/\+([0-9a-f]{8})\+/, (_m, id: string) => `+${(Number.parseInt(id, 16) ^ 1).toString(16).padStart(8, '0')}+`);
    assert.equal(parseVerifierKey(badId), undefined);
    assert.equal(verifyCheckpointSignatures(note, [badId, keys[1]!], EXPECT).ok, false);
    assert.equal(verifyCheckpointSignatures('not a note', keys, EXPECT).ok, false);
    assert.equal(verifyCheckpointSignatures(note.replace('\n\n', '\n'), keys, EXPECT).ok, false);
  });

  it('parses verifier keys exactly as the gateway does, and only canonical base64', () => {
    for (const vkey of keys) {
      const mine = parseVerifierKey(vkey)!;
      const theirs = parseNoteVerifierKey(vkey);
      assert.equal(mine.keyId, theirs.keyId);
      assert.equal(mine.algorithm, theirs.algorithm);
      assert.deepEqual(Buffer.from(mine.publicKey), Buffer.from(theirs.publicKey));
    }
    assert.deepEqual(fromBase64Strict('AAE='), Uint8Array.of(0, 1));
    assert.equal(fromBase64Strict('AAF='), undefined, 'non-zero trailing bits');
    assert.equal(fromBase64Strict('AAE'), undefined, 'no padding');
    assert.equal(fromBase64Strict('AA E='), undefined);
  });
});
