/** Key format: what an operator can type. (Authentication itself is tested through the server.) */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { apiKeyFromRandom } from './api-keys.ts';

describe('apiKeyFromRandom', () => {
  it('refuses a draw whose id would start with "-" (a flag to `enclave keys revoke`)', () => {
    const raw = new Uint8Array(41);
    raw[0] = 0xf8; // top six bits 62: base64url '-'
    assert.equal(apiKeyFromRandom(raw), undefined);
    raw[0] = 0xfc; // 63: '_', a valid first character
    assert.match(apiKeyFromRandom(raw) ?? '', /^enc__/);
  });

  it('otherwise gives enc_ + 55 base64url characters that are the bytes themselves', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 41, maxLength: 41 }), (raw) => {
      const key = apiKeyFromRandom(raw);
      if (key === undefined) return (raw[0]! >> 2) === 62;
      return /^enc_[A-Za-z0-9_][A-Za-z0-9_-]{54}$/.test(key) && Buffer.from(key.slice(4), 'base64url').equals(Buffer.from(raw));
    }));
  });

  it('refuses the wrong number of bytes', () => {
    assert.throws(() => apiKeyFromRandom(new Uint8Array(40)), RangeError);
  });
});
