/** Content at rest: hybrid-KEM sealed records round-trip, and any altered bit fails to open. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { generateEncryptionKeyPair, encryptionKeyIdHex, encapsulateHybrid, decapsulateHybrid } from './hybrid-kem.ts';
import { openRecord, rewrapRecord, sealRecord, sealedRecordKeyId, SEALED_RECORD_OVERHEAD } from './sealed-record.ts';
import { utf8 } from './encoding.ts';

const recipient = generateEncryptionKeyPair();
const aad = utf8('{"id":"rec-1","label":"SECRET//NOFORN"}');

describe('hybrid KEM', () => {
  it('gives the recipient the same key, bound to the info string', () => {
    const info = utf8('ctx');
    const enc = encapsulateHybrid(recipient.publicKey, info);
    assert.deepEqual(decapsulateHybrid(recipient, enc.mlkemCiphertext, enc.x25519Ephemeral, info), enc.key);
    assert.notDeepEqual(decapsulateHybrid(recipient, enc.mlkemCiphertext, enc.x25519Ephemeral, utf8('other')), enc.key);
  });

  it('derives different keys when either ciphertext is replaced', () => {
    const info = utf8('ctx');
    const a = encapsulateHybrid(recipient.publicKey, info);
    const b = encapsulateHybrid(recipient.publicKey, info);
    assert.notDeepEqual(decapsulateHybrid(recipient, a.mlkemCiphertext, b.x25519Ephemeral, info), a.key);
    assert.notDeepEqual(decapsulateHybrid(recipient, b.mlkemCiphertext, a.x25519Ephemeral, info), a.key);
  });

  it('restores a key pair from its seeds', () => {
    assert.deepEqual(generateEncryptionKeyPair(recipient.seed).publicKey, recipient.publicKey);
  });
});

describe('sealed records', () => {
  it('round-trips random plaintexts and associated data', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.uint8Array({ maxLength: 128 }), (plaintext, ad) => {
        const sealed = sealRecord({ recipientPublicKey: recipient.publicKey, plaintext, aad: ad });
        assert.equal(sealed.length, plaintext.length + SEALED_RECORD_OVERHEAD);
        assert.deepEqual(openRecord({ recipientKeys: recipient, sealed, aad: ad }), plaintext);
      }),
      { numRuns: 25 },
    );
  });

  const plaintext = utf8('prompt: where is the convoy?');
  const sealed = sealRecord({ recipientPublicKey: recipient.publicKey, plaintext, aad });

  it('fails on any flipped bit anywhere in the sealed record (header, KEM, wrapped key, ciphertext, tag)', () => {
    fc.assert(
      fc.property(fc.nat(sealed.length * 8 - 1), (bit) => {
        const bad = Uint8Array.from(sealed);
        bad[bit >> 3]! ^= 1 << (bit & 7);
        assert.throws(() => openRecord({ recipientKeys: recipient, sealed: bad, aad }), { name: 'CryptoError' });
      }),
      { numRuns: 120 },
    );
  });

  it('fails on any flipped bit of the associated data (the record id and label)', () => {
    fc.assert(
      fc.property(fc.nat(aad.length * 8 - 1), (bit) => {
        const bad = Uint8Array.from(aad);
        bad[bit >> 3]! ^= 1 << (bit & 7);
        assert.throws(() => openRecord({ recipientKeys: recipient, sealed, aad: bad }), { code: 'DECRYPTION_FAILED' });
      }),
      { numRuns: 40 },
    );
  });

  it('fails on a truncated record and names an unknown recipient key', () => {
    assert.throws(() => openRecord({ recipientKeys: recipient, sealed: sealed.subarray(0, sealed.length - 1), aad }), { code: 'DECRYPTION_FAILED' });
    assert.throws(() => openRecord({ recipientKeys: recipient, sealed: sealed.subarray(0, 100), aad }), { code: 'MALFORMED_ENVELOPE' });
    assert.throws(() => openRecord({ recipientKeys: generateEncryptionKeyPair(), sealed, aad }), { code: 'UNKNOWN_KEY' });
  });

  it('picks the right key from a ring and re-wraps for a new key without touching content', () => {
    const next = generateEncryptionKeyPair();
    assert.equal(sealedRecordKeyId(sealed), encryptionKeyIdHex(recipient.publicKey));
    assert.deepEqual(openRecord({ recipientKeys: [next, recipient], sealed, aad }), plaintext);
    const moved = rewrapRecord({ recipientKeys: recipient, sealed, aad, newRecipientPublicKey: next.publicKey });
    assert.equal(sealedRecordKeyId(moved), encryptionKeyIdHex(next.publicKey));
    assert.deepEqual(moved.subarray(moved.length - plaintext.length - 16), sealed.subarray(sealed.length - plaintext.length - 16));
    assert.deepEqual(openRecord({ recipientKeys: next, sealed: moved, aad }), plaintext);
    assert.throws(() => openRecord({ recipientKeys: recipient, sealed: moved, aad }), { code: 'UNKNOWN_KEY' });
  });
});
