/** Hybrid signatures: RFC 8032 vector, ML-DSA-87 round trips, any change fails. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  generateEd25519KeyPair,
  generateHybridSigningKeys,
  generateMlDsa87KeyPair,
  signEd25519,
  signHybrid,
  signMlDsa87,
  verifyEd25519,
  verifyHybrid,
  verifyMlDsa87,
} from './signatures.ts';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

// Source: RFC 8032 section 7.1, "TEST 1" (empty message).
const RFC8032_TEST1 = {
  secret: hex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'),
  public: hex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'),
  signature: hex('e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'),
};

const flip = (b: Uint8Array, bit: number) => {
  const c = Uint8Array.from(b);
  c[Math.floor(bit / 8) % c.length]! ^= 1 << (bit % 8);
  return c;
};

describe('Ed25519', () => {
  it('reproduces RFC 8032 test 1 and verifies it', () => {
    const kp = generateEd25519KeyPair(RFC8032_TEST1.secret);
    assert.deepEqual(kp.publicKey, RFC8032_TEST1.public);
    assert.deepEqual(signEd25519(kp.secretKey, new Uint8Array(0)), RFC8032_TEST1.signature);
    assert.ok(verifyEd25519(RFC8032_TEST1.public, new Uint8Array(0), RFC8032_TEST1.signature));
  });

  it('agrees with @noble/curves on valid and altered signatures (native verify)', () => {
    const kp = generateEd25519KeyPair();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(511), fc.boolean(), (msg, bit, alter) => {
        const sig = signEd25519(kp.secretKey, msg);
        const used = alter ? flip(sig, bit) : sig;
        assert.equal(verifyEd25519(kp.publicKey, msg, used), ed25519.verify(used, msg, kp.publicKey));
        assert.equal(verifyEd25519(kp.publicKey, msg, used), !alter);
      }),
      { numRuns: 60 },
    );
  });

  it('rejects keys and signatures of the wrong length without throwing', () => {
    assert.equal(verifyEd25519(new Uint8Array(31), new Uint8Array(0), RFC8032_TEST1.signature), false);
    assert.equal(verifyEd25519(RFC8032_TEST1.public, new Uint8Array(0), RFC8032_TEST1.signature.subarray(1)), false);
    assert.throws(() => generateEd25519KeyPair(new Uint8Array(16)), /seed/);
  });
});

describe('ML-DSA-87', () => {
  const kp = generateMlDsa87KeyPair();

  it('derives the same key pair from the same seed', () => {
    assert.deepEqual(generateMlDsa87KeyPair(kp.seed).publicKey, kp.publicKey);
  });

  it('verifies its signatures only under the same context', () => {
    const msg = new TextEncoder().encode('checkpoint');
    const sig = signMlDsa87(kp.secretKey, msg, 'ctx-a');
    assert.ok(verifyMlDsa87(kp.publicKey, msg, sig, 'ctx-a'));
    assert.equal(verifyMlDsa87(kp.publicKey, msg, sig, 'ctx-b'), false);
    assert.equal(verifyMlDsa87(kp.publicKey, msg, sig), false);
  });

  it('fails on any changed message bit or signature bit', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 48 }), fc.nat(), fc.nat(), (msg, mbit, sbit) => {
        const sig = signMlDsa87(kp.secretKey, msg);
        assert.ok(verifyMlDsa87(kp.publicKey, msg, sig));
        assert.equal(verifyMlDsa87(kp.publicKey, flip(msg, mbit % (msg.length * 8)), sig), false);
        assert.equal(verifyMlDsa87(kp.publicKey, msg, flip(sig, sbit % (sig.length * 8))), false);
      }),
      { numRuns: 12 },
    );
  });
});

describe('hybrid signatures', () => {
  const keys = generateHybridSigningKeys();
  const pub = { ed25519: keys.ed25519.publicKey, mldsa87: keys.mldsa87.publicKey };
  const msg = new TextEncoder().encode('approval receipt');

  it('verifies when both halves verify', () => {
    assert.ok(verifyHybrid(pub, msg, signHybrid(keys, msg, 'receipt'), 'receipt'));
  });

  it('fails when either half is altered or swapped', () => {
    const sig = signHybrid(keys, msg, 'receipt');
    assert.equal(verifyHybrid(pub, msg, { ...sig, ed25519: flip(sig.ed25519, 3) }, 'receipt'), false);
    assert.equal(verifyHybrid(pub, msg, { ...sig, mldsa87: flip(sig.mldsa87, 100) }, 'receipt'), false);
    const other = generateHybridSigningKeys();
    assert.equal(verifyHybrid({ ...pub, mldsa87: other.mldsa87.publicKey }, msg, sig, 'receipt'), false);
  });
});
