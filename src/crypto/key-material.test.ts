/** Keys at rest: scrypt + AES-256-GCM envelopes, bounded parameters, wrong secrets fail. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decryptKeyMaterial, encryptKeyMaterial } from './key-material.ts';
import { utf8 } from './encoding.ts';

// Low cost for test speed; production uses DEFAULT_SCRYPT_PARAMS (N = 2^17).
const FAST = { N: 2 ** 10, r: 8, p: 1 };
const secret = utf8('{"seed":"..."}');

describe('key material envelopes', () => {
  it('round-trips under a passphrase and under a byte secret', async () => {
    assert.deepEqual(await decryptKeyMaterial(await encryptKeyMaterial(secret, 'correct horse', FAST), 'correct horse'), secret);
    const key = new Uint8Array(32).fill(7);
    assert.deepEqual(await decryptKeyMaterial(await encryptKeyMaterial(secret, key, FAST), key), secret);
  });

  it('fails with a wrong passphrase', async () => {
    const env = await encryptKeyMaterial(secret, 'correct horse', FAST);
    await assert.rejects(decryptKeyMaterial(env, 'correct hors'), { code: 'DECRYPTION_FAILED' });
  });

  it('fails when the parameters, salt or ciphertext are edited', async () => {
    const env = JSON.parse(await encryptKeyMaterial(secret, 'pw', FAST)) as { kdf: { N: number; salt: string }; ciphertext: string };
    await assert.rejects(decryptKeyMaterial(JSON.stringify({ ...env, kdf: { ...env.kdf, N: 2 ** 11 } }), 'pw'), { code: 'DECRYPTION_FAILED' });
    const salt = Buffer.from(env.kdf.salt, 'base64');
    salt[0]! ^= 1;
    await assert.rejects(decryptKeyMaterial(JSON.stringify({ ...env, kdf: { ...env.kdf, salt: salt.toString('base64') } }), 'pw'), { code: 'DECRYPTION_FAILED' });
    const ct = Buffer.from(env.ciphertext, 'base64');
    ct[0]! ^= 1;
    await assert.rejects(decryptKeyMaterial(JSON.stringify({ ...env, ciphertext: ct.toString('base64') }), 'pw'), { code: 'DECRYPTION_FAILED' });
  });

  it('refuses hostile parameters before running the KDF', async () => {
    const env = JSON.parse(await encryptKeyMaterial(secret, 'pw', FAST)) as { kdf: object };
    await assert.rejects(decryptKeyMaterial(JSON.stringify({ ...env, kdf: { ...env.kdf, N: 2 ** 30 } }), 'pw'), { code: 'KDF_PARAMETERS' });
    await assert.rejects(decryptKeyMaterial(JSON.stringify({ ...env, kdf: { ...env.kdf, N: 1000 } }), 'pw'), { code: 'KDF_PARAMETERS' });
    await assert.rejects(encryptKeyMaterial(secret, 'pw', { N: 2 ** 8, r: 8, p: 1 }), { code: 'KDF_PARAMETERS' });
  });

  it('rejects malformed envelopes and empty secrets', async () => {
    await assert.rejects(decryptKeyMaterial('not json', 'pw'), { code: 'MALFORMED_ENVELOPE' });
    await assert.rejects(decryptKeyMaterial('{"format":"other"}', 'pw'), { code: 'MALFORMED_ENVELOPE' });
    await assert.rejects(encryptKeyMaterial(secret, '', FAST), { code: 'INVALID_KEY' });
  });
});
