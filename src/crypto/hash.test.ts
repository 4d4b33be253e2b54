/** Hash functions against FIPS 180-2 example vectors. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { digestString, hash, sha256, sha256Hex, sha384 } from './hash.ts';

// Source: FIPS 180-2, Appendix B.1 (SHA-256, "abc") and Appendix D.1 (SHA-384, "abc").
const ABC_SHA256 = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const ABC_SHA384 = 'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7';
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('hash', () => {
  it('matches the FIPS 180-2 "abc" vectors', () => {
    assert.equal(hex(sha256('abc')), ABC_SHA256);
    assert.equal(hex(sha384(new TextEncoder().encode('abc'))), ABC_SHA384);
    assert.equal(sha256Hex('abc'), ABC_SHA256);
    assert.equal(digestString('sha384', 'abc'), `sha384:${ABC_SHA384}`);
  });

  it('returns plain Uint8Arrays, not Buffers', () => {
    const d = hash('sha256', 'abc');
    assert.equal(Object.getPrototypeOf(d), Uint8Array.prototype);
    assert.deepEqual(d, Uint8Array.from(Buffer.from(ABC_SHA256, 'hex')));
  });

  it('hashes a view of a larger buffer by its own bytes only', () => {
    const big = new TextEncoder().encode('xxabcxx');
    assert.equal(hex(sha256(big.subarray(2, 5))), ABC_SHA256);
  });
});
