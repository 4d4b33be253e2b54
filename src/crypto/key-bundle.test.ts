/** Key bundles and rings: serialisation from seeds, rotation, sealing at rest. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  createKeyRing,
  keyRingEncryptionKeys,
  keyRingPublicKeys,
  openKeyRing,
  parseKeyRing,
  rotateKeyRing,
  sealKeyRing,
  serializeKeyRing,
} from './key-bundle.ts';
import { openRecord, sealRecord } from './sealed-record.ts';
import { signEd25519, verifyEd25519 } from './signatures.ts';
import { utf8 } from './encoding.ts';

const FAST = { N: 2 ** 10, r: 8, p: 1 };
const ring = createKeyRing(new Date('2025-01-01T00:00:00Z'));

describe('key rings', () => {
  it('round-trips through its serialised seeds with the same keys and id', () => {
    const back = parseKeyRing(serializeKeyRing(ring));
    assert.equal(back.current.id, ring.current.id);
    assert.deepEqual(keyRingPublicKeys(back), keyRingPublicKeys(ring));
    const msg = utf8('m');
    assert.ok(verifyEd25519(ring.current.signing.ed25519.publicKey, msg, signEd25519(back.current.signing.ed25519.secretKey, msg)));
  });

  it('keeps retired public keys and encryption keys, and drops retired signing secrets', () => {
    const sealed = sealRecord({ recipientPublicKey: ring.current.encryption.publicKey, plaintext: utf8('old'), aad: utf8('a') });
    const rotated = rotateKeyRing(ring, new Date('2025-06-01T00:00:00Z'));
    assert.notEqual(rotated.current.id, ring.current.id);
    assert.equal(rotated.retired[0]!.id, ring.current.id);
    assert.equal(rotated.retired[0]!.retiredAt, '2025-06-01T00:00:00.000Z');
    assert.deepEqual(rotated.retired[0]!.signing, { ed25519: ring.current.signing.ed25519.publicKey, mldsa87: ring.current.signing.mldsa87.publicKey });
    assert.equal('secretKey' in rotated.retired[0]!.signing, false);
    assert.deepEqual(openRecord({ recipientKeys: keyRingEncryptionKeys(parseKeyRing(serializeKeyRing(rotated))), sealed, aad: utf8('a') }), utf8('old'));
    assert.equal(keyRingPublicKeys(rotated).length, 2);
  });

  it('rejects a ring whose keys do not match its recorded id', () => {
    const raw = JSON.parse(serializeKeyRing(ring)) as { current: { id: string } };
    raw.current.id = 'kb-0000000000000000';
    assert.throws(() => parseKeyRing(JSON.stringify(raw)), { code: 'INVALID_KEY' });
    assert.throws(() => parseKeyRing('{"format":"enclave-key-ring/v1"}'), { code: 'MALFORMED_ENVELOPE' });
  });

  it('seals a ring under a secret and opens it again', async () => {
    const env = await sealKeyRing(ring, 'kek-secret', FAST);
    assert.equal(env.includes(Buffer.from(ring.current.signing.ed25519.seed).toString('base64')), false);
    assert.equal((await openKeyRing(env, 'kek-secret')).current.id, ring.current.id);
    await assert.rejects(openKeyRing(env, 'wrong'), { code: 'DECRYPTION_FAILED' });
  });
});
