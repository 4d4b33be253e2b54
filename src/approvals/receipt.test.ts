/** Receipts: signing with the stored key, verification that fails closed on every tampering. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { CompactSign, exportJWK, generateKeyPair } from 'jose';
import { createSqliteApprovalStore } from '../store/approvals-sqlite.ts';
import { openSqliteStore } from '../store/index.ts';
import {
  argumentsDigest, canonicalJson, createSecretSealer, loadReceiptSigner, RECEIPT_TYPE, verifyReceipt,
  type ReceiptClaims, type ReceiptSigner,
} from './index.ts';
import { randomBytes } from '../crypto/index.ts';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const IAT = Math.floor(NOW.getTime() / 1000);

function claims(args: unknown, extra: Partial<ReceiptClaims> = {}): Omit<ReceiptClaims, 'v'> {
  return {
    iss: 'enclave', jti: 'apr_1', kind: 'action', sub: 'alice', tool: 'strike', args_sha256: argumentsDigest(args),
    approvers: ['carol', 'dave'], policy_ids: ['hold.kinetic_tool'], iat: IAT, exp: IAT + 120, ...extra,
  };
}

const code = (r: Awaited<ReturnType<typeof verifyReceipt>>) => (r.valid ? 'VALID' : r.code);

describe('canonical arguments', () => {
  // RFC 8785 section 3.2.2's sample input and its canonical form (Appendix-free, quoted from the RFC).
  it('matches the RFC 8785 example', () => {
    const input = JSON.parse('{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}');
    assert.equal(canonicalJson(input), '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  });

  it('digests the canonical text with SHA-256', () => {
    const text = canonicalJson({ b: 1, a: 'x' });
    assert.equal(argumentsDigest({ b: 1, a: 'x' }), createHash('sha256').update(text, 'utf8').digest('hex'));
  });

  it('gives one digest for any member order, and another for any other value', () => {
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
      const reversed = Object.fromEntries(Object.entries(obj).reverse());
      assert.equal(argumentsDigest(reversed), argumentsDigest(obj));
      assert.notEqual(argumentsDigest({ ...obj, ['\u0000extra']: 1 }), argumentsDigest(obj));
    }));
  });

  it('refuses values JSON cannot carry', () => {
    assert.throws(() => canonicalJson(Number.NaN), { code: 'NOT_JSON' });
    assert.throws(() => canonicalJson(undefined), { code: 'NOT_JSON' });
  });
});

describe('receipts', () => {
  let signer: ReceiptSigner;
  let es256: ReceiptSigner;
  before(async () => {
    const sealer = createSecretSealer(randomBytes(32));
    signer = await loadReceiptSigner(createSqliteApprovalStore(openSqliteStore(':memory:').db), sealer);
    es256 = await loadReceiptSigner(createSqliteApprovalStore(openSqliteStore(':memory:').db), sealer, { alg: 'ES256' });
  });

  it('verifies what it signs, for EdDSA and ES256 keys, against a JWK Set, a list or one JWK', async () => {
    const args = { target: 'AB1234', rounds: 2 };
    for (const s of [signer, es256]) {
      const jws = await s.sign(claims(args));
      for (const publicKeys of [s.jwks(), s.jwks().keys, s.jwks().keys[0]!]) {
        const r = await verifyReceipt(jws, { publicKeys, tool: 'strike', arguments: args, now: NOW, issuer: 'enclave', minApprovers: 2 });
        assert.ok(r.valid, code(r));
        assert.equal(r.kid, s.kid);
        assert.deepEqual(r.claims.approvers, ['carol', 'dave']);
      }
    }
  });

  it('reuses the stored key: a second load signs with the same kid', async () => {
    const store = createSqliteApprovalStore(openSqliteStore(':memory:').db);
    const sealer = createSecretSealer(randomBytes(32));
    const a = await loadReceiptSigner(store, sealer);
    const b = await loadReceiptSigner(store, sealer);
    assert.equal(a.kid, b.kid);
    await assert.rejects(loadReceiptSigner(store, createSecretSealer(randomBytes(32))), { code: 'SECRETS_MISMATCH' });
  });

  it('fails for changed arguments, another tool, too few approvers, another issuer, outside its lifetime', async () => {
    const args = { target: 'AB1234', rounds: 2 };
    const jws = await signer.sign(claims(args));
    const keys = signer.jwks();
    assert.equal(code(await verifyReceipt(jws, { publicKeys: keys, arguments: { ...args, rounds: 3 }, now: NOW })), 'ARGUMENTS_MISMATCH');
    assert.equal(code(await verifyReceipt(jws, { publicKeys: keys, arguments: undefined, now: NOW })), 'ARGUMENTS_MISMATCH');
    assert.equal(code(await verifyReceipt(jws, { publicKeys: keys, tool: 'lookup', now: NOW })), 'TOOL_MISMATCH');
    assert.equal(code(await verifyReceipt(jws, { publicKeys: keys, minApprovers: 3, now: NOW })), 'TOO_FEW_APPROVERS');
    assert.equal(code(await verifyReceipt(jws, { publicKeys: keys, issuer: 'other', now: NOW })), 'ISSUER_MISMATCH');
    assert.equal(code(await verifyReceipt(jws, { publicKeys: keys, now: new Date(NOW.getTime() + 125_000) })), 'EXPIRED');
    assert.equal(code(await verifyReceipt(jws, { publicKeys: keys, now: new Date(NOW.getTime() - 60_000) })), 'NOT_YET_VALID');
    assert.equal(code(await verifyReceipt(jws, { publicKeys: es256.jwks(), now: NOW })), 'UNKNOWN_KEY');
  });

  it('fails any change to any argument (property)', async () => {
    const jsonObject = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { minKeys: 1, maxKeys: 6 });
    await fc.assert(fc.asyncProperty(jsonObject, fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), async (args, key, value) => {
      fc.pre(canonicalJson({ ...args, [key]: value }) !== canonicalJson(args));
      const jws = await signer.sign(claims(args));
      assert.equal(code(await verifyReceipt(jws, { publicKeys: signer.jwks(), arguments: JSON.parse(JSON.stringify(args)), now: NOW })), 'VALID');
      assert.equal(code(await verifyReceipt(jws, { publicKeys: signer.jwks(), arguments: { ...args, [key]: value }, now: NOW })), 'ARGUMENTS_MISMATCH');
    }), { numRuns: 60 });
  });

  it('fails any flipped character of the token (property)', async () => {
    const jws = await signer.sign(claims({ a: 1 }));
    await fc.assert(fc.asyncProperty(fc.nat({ max: jws.length - 1 }), fc.constantFrom(...'ABCabc012-_.'), async (i, ch) => {
      fc.pre(jws[i] !== ch);
      const tampered = jws.slice(0, i) + ch + jws.slice(i + 1);
      const r = await verifyReceipt(tampered, { publicKeys: signer.jwks(), now: NOW });
      // A flip in the last base64url character can leave the decoded bytes unchanged (spare bits).
      if (r.valid) assert.equal(Buffer.from(tampered.split('.')[2]!, 'base64url').equals(Buffer.from(jws.split('.')[2]!, 'base64url')), true);
    }), { numRuns: 80 });
  });
});

describe('hostile receipts', () => {
  let signer: ReceiptSigner;
  before(async () => {
    signer = await loadReceiptSigner(createSqliteApprovalStore(openSqliteStore(':memory:').db), createSecretSealer(randomBytes(32)));
  });
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

  it('rejects non-strings, garbage and oversized input as MALFORMED', async () => {
    for (const bad of [undefined, 42, '', 'a.b', 'a.b.c.d', 'not a jws', `${'a'.repeat(20_000)}.b.c`, 'e30.e30.']) {
      assert.equal(code(await verifyReceipt(bad, { publicKeys: signer.jwks(), now: NOW })), 'MALFORMED', String(bad).slice(0, 20));
    }
  });

  it('refuses alg none and HMAC (RFC 8725 section 2.1: algorithm confusion)', async () => {
    const kid = signer.kid;
    const payload = b64({ v: 1, ...claims({}) });
    const none = `${b64({ alg: 'none', typ: RECEIPT_TYPE, kid })}.${payload}.`;
    assert.equal(code(await verifyReceipt(none, { publicKeys: signer.jwks(), now: NOW })), 'MALFORMED');
    // HS256 keyed with the public key's bytes: the classic confusion attack.
    const secret = Buffer.from(String(signer.jwks().keys[0]!.x), 'base64url');
    const hs = await new CompactSign(Buffer.from(JSON.stringify({ v: 1, ...claims({}) }))).setProtectedHeader({ alg: 'HS256', typ: RECEIPT_TYPE, kid }).sign(secret);
    assert.equal(code(await verifyReceipt(hs, { publicKeys: signer.jwks(), now: NOW })), 'UNSUPPORTED_ALGORITHM');
  });

  it('refuses another typ, a missing kid, crit headers, and a key of another type under the same kid', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const sign = (header: Record<string, unknown>) => new CompactSign(Buffer.from(JSON.stringify({ v: 1, ...claims({}) })))
      .setProtectedHeader({ alg: 'EdDSA', ...header }).sign(privateKey);
    assert.equal(code(await verifyReceipt(await sign({ typ: 'JWT', kid: signer.kid }), { publicKeys: signer.jwks(), now: NOW })), 'MALFORMED');
    assert.equal(code(await verifyReceipt(await sign({ typ: RECEIPT_TYPE }), { publicKeys: signer.jwks(), now: NOW })), 'MALFORMED');
    assert.equal(code(await verifyReceipt(await sign({ typ: RECEIPT_TYPE, kid: signer.kid }), { publicKeys: signer.jwks(), now: NOW })), 'BAD_SIGNATURE');
    assert.equal(code(await verifyReceipt(await sign({ typ: RECEIPT_TYPE, kid: 'unknown' }), { publicKeys: signer.jwks(), now: NOW })), 'UNKNOWN_KEY');
  });

  it('refuses well-signed claims that are malformed', async () => {
    const store = createSqliteApprovalStore(openSqliteStore(':memory:').db);
    const s = await loadReceiptSigner(store, createSecretSealer(randomBytes(32)));
    const bad = await s.sign({ ...claims({}), args_sha256: 'not-hex' });
    assert.equal(code(await verifyReceipt(bad, { publicKeys: s.jwks(), now: NOW })), 'MALFORMED_CLAIMS');
  });

  it('treats an unusable trusted key as unknown, never as a crash', async () => {
    const jws = await signer.sign(claims({}));
    const { publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
    const rsa = await exportJWK(publicKey);
    assert.equal(code(await verifyReceipt(jws, { publicKeys: [rsa], now: NOW })), 'UNKNOWN_KEY');
  });
});
