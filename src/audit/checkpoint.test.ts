/** Checkpoints: tlog-checkpoint bodies, two signature lines, and hostile notes. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createKeyRing, createNoteSigner, generateEd25519KeyPair, parseSignedNote, rotateKeyRing, keyRingPublicKeys } from '../crypto/index.ts';
import { checkpointKeysFromRing, checkpointSigners, checkpointVerifierKeys, formatCheckpointBody, parseCheckpointBody, signCheckpoint, verifyCheckpoint } from './checkpoint.ts';
import { testRing, TEST_ORIGIN } from './test-support.ts';

const root = new Uint8Array(32).fill(1);
const keys = checkpointKeysFromRing(TEST_ORIGIN, testRing());
const note = signCheckpoint({ origin: TEST_ORIGIN, size: 42, rootHash: root }, keys.signers);

describe('checkpoints', () => {
  it('writes the tlog-checkpoint body and two signature lines under the origin', () => {
    const parsed = parseSignedNote(note);
    assert.equal(parsed.text, `${TEST_ORIGIN}\n42\n${Buffer.from(root).toString('base64')}\n`);
    assert.deepEqual(parsed.signatures.map((s) => s.name), [TEST_ORIGIN, TEST_ORIGIN]);
  });

  it('verifies with both signatures and returns the parsed checkpoint', () => {
    const v = verifyCheckpoint(note, { keys: keys.verifiers, origin: TEST_ORIGIN });
    assert.ok(v.ok);
    assert.equal(v.ok && v.checkpoint.size, 42);
    assert.deepEqual(v.ok && v.checkpoint.rootHash, root);
  });

  it('requires both algorithms unless told otherwise', () => {
    const edOnly = keys.verifiers.filter((k) => k.algorithm === 'ed25519');
    const v = verifyCheckpoint(note, { keys: edOnly });
    assert.equal(!v.ok && v.code, 'MISSING_SIGNATURE');
    assert.ok(verifyCheckpoint(note, { keys: edOnly, require: ['ed25519'] }).ok);
  });

  it('rejects a checkpoint whose root was edited (forged)', () => {
    const forged = note.replace(Buffer.from(root).toString('base64'), Buffer.from(new Uint8Array(32).fill(2)).toString('base64'));
    const v = verifyCheckpoint(forged, { keys: keys.verifiers });
    assert.equal(!v.ok && v.code, 'BAD_SIGNATURE');
  });

  it('rejects a checkpoint signed by another key under the same name', () => {
    const impostor = createNoteSigner(TEST_ORIGIN, 'ed25519', generateEd25519KeyPair());
    const v = verifyCheckpoint(signCheckpoint({ origin: TEST_ORIGIN, size: 42, rootHash: root }, [impostor]), { keys: keys.verifiers });
    assert.equal(!v.ok && v.code, 'MISSING_SIGNATURE');
  });

  it('rejects another origin when one is expected', () => {
    const other = signCheckpoint({ origin: 'other.log/x', size: 1, rootHash: root }, checkpointSigners('other.log/x', testRing().current));
    const v = verifyCheckpoint(other, { keys: checkpointVerifierKeys('other.log/x', keyRingPublicKeys(testRing())), origin: TEST_ORIGIN });
    assert.equal(!v.ok && v.code, 'WRONG_ORIGIN');
  });

  it('still verifies old checkpoints after a key rotation', () => {
    const rotated = rotateKeyRing(testRing());
    const after = checkpointKeysFromRing(TEST_ORIGIN, rotated);
    assert.ok(verifyCheckpoint(note, { keys: after.verifiers }).ok);
    const fresh = signCheckpoint({ origin: TEST_ORIGIN, size: 43, rootHash: root }, after.signers);
    assert.equal(verifyCheckpoint(fresh, { keys: keys.verifiers }).ok, false);
  });

  it('supports SHA-384 roots', () => {
    const root384 = new Uint8Array(48).fill(3);
    const n = signCheckpoint({ origin: TEST_ORIGIN, size: 1, rootHash: root384 }, keys.signers);
    assert.ok(verifyCheckpoint(n, { keys: keys.verifiers, hashAlgorithm: 'sha384' }).ok);
    assert.equal(verifyCheckpoint(n, { keys: keys.verifiers }).ok, false);
  });
});

describe('malformed checkpoint bodies', () => {
  const r = Buffer.from(root).toString('base64');
  const cases: Record<string, string> = {
    'two lines': `o\n5\n`,
    'a leading zero': `o\n05\n${r}\n`,
    'a negative size': `o\n-5\n${r}\n`,
    'a size beyond 2^53': `o\n18446744073709551615\n${r}\n`,
    'a hex root': `o\n5\n${'01'.repeat(32)}\n`,
    'a short root': `o\n5\n${Buffer.from(new Uint8Array(31)).toString('base64')}\n`,
    'an empty origin': `\n5\n${r}\n`,
    'an empty extension line': `o\n5\n${r}\n\n`,
    'no final newline': `o\n5\n${r}`,
  };
  for (const [name, text] of Object.entries(cases)) {
    it(`rejects a body with ${name}`, () => assert.throws(() => parseCheckpointBody(text), { name: 'AuditError', code: 'MALFORMED_CHECKPOINT' }));
  }

  it('keeps extension lines opaque', () => {
    assert.deepEqual(parseCheckpointBody(`o\n5\n${r}\nextra\n`).extensions, ['extra']);
  });

  it('refuses to format a checkpoint whose origin is not a key name', () => {
    assert.throws(() => formatCheckpointBody({ origin: 'has space', size: 1, rootHash: root }), { code: 'MALFORMED_CHECKPOINT' });
  });

  it('reports malformed notes as values, never throwing', () => {
    for (const bad of ['', 'x', note.slice(0, 40), `${note}trailing`]) assert.equal(verifyCheckpoint(bad, { keys: keys.verifiers }).ok, false);
    assert.equal(verifyCheckpoint(note, { keys: checkpointKeysFromRing(TEST_ORIGIN, createKeyRing()).verifiers }).ok, false);
  });
});
