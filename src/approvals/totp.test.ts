/** TOTP: RFC 6238 vectors, one use per time step, drift window, lockout, sealed secrets. */
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generate } from 'otplib';
import { randomBytes, utf8 } from '../crypto/index.ts';
import { bootstrapUsers } from '../identity/index.ts';
import { createSqliteApprovalStore } from '../store/approvals-sqlite.ts';
import { openSqliteStore, type Store } from '../store/index.ts';
import { createSecretSealer, enrollTotp, verifyTotpCode, type ApprovalStore, type SecretSealer, type TotpPolicy } from './index.ts';

// RFC 6238 Appendix B: the SHA-1 seed "12345678901234567890" (base32 below) and its 8-digit
// codes; a 6-digit code is the same value mod 10^6, i.e. the last six digits.
const RFC6238_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const RFC6238_VECTORS: Array<[number, string]> = [
  [59, '94287082'], [1111111109, '07081804'], [1111111111, '14050471'],
  [1234567890, '89005924'], [2000000000, '69279037'], [20000000000, '65353130'],
];

const POLICY: TotpPolicy = { windowSteps: 1, maxFailures: 3, lockoutSeconds: 300 };

describe('TOTP', () => {
  let store: Store & { db: import('better-sqlite3').Database };
  let approvals: ApprovalStore;
  let sealer: SecretSealer;
  const deps = () => ({ store: approvals, identities: store.identities, sealer });
  const check = (user: string, code: string, at: Date, policy: TotpPolicy = POLICY) => verifyTotpCode(deps(), user, code, { ...policy, now: at });

  beforeEach(async () => {
    store = openSqliteStore(':memory:');
    approvals = createSqliteApprovalStore(store.db);
    sealer = createSecretSealer(randomBytes(32));
    await bootstrapUsers(store.identities, ['carol', 'dave'].map((id) => ({ id, name: id, clearance: 'SECRET', nationality: 'USA', roles: ['commander'] })));
  });

  it('accepts the RFC 6238 test vectors, each once', async () => {
    await approvals.putTotp({ userId: 'carol', sealedSecret: await sealer.seal('totp:carol', utf8(RFC6238_SECRET)), createdAt: '2026-01-01T00:00:00.000Z' }, false);
    for (const [seconds, eight] of RFC6238_VECTORS) {
      const at = new Date(seconds * 1000);
      const r = await check('carol', eight.slice(-6), at, { ...POLICY, windowSteps: 0 });
      assert.deepEqual(r, { ok: true, step: Math.floor(seconds / 30) }, `T=${seconds}`);
      assert.deepEqual(await check('carol', eight.slice(-6), at), { ok: false, reason: 'replayed' }, `T=${seconds} twice`);
    }
  });

  it('enrols once, shows the secret only in the URI, and stores it sealed', async () => {
    const { uri } = await enrollTotp(deps(), 'carol', { issuer: 'Enclave' });
    const url = new URL(uri);
    assert.equal(url.protocol, 'otpauth:');
    assert.equal(url.host, 'totp');
    const secret = url.searchParams.get('secret')!;
    assert.match(secret, /^[A-Z2-7]{32}$/, '160 bits of base32');
    const row = store.db.prepare('SELECT * FROM mfa_totp').get() as Record<string, unknown>;
    assert.ok(!JSON.stringify(row).includes(secret), 'the stored row never contains the secret');
    await assert.rejects(enrollTotp(deps(), 'carol', { issuer: 'Enclave' }), { code: 'TOTP_EXISTS' });
    await assert.rejects(enrollTotp(deps(), 'mallory', { issuer: 'Enclave' }), { code: 'UNKNOWN_USER' });
    const again = new URL((await enrollTotp(deps(), 'carol', { issuer: 'Enclave', replace: true })).uri).searchParams.get('secret');
    assert.notEqual(again, secret, 'replacing gives a new secret');
  });

  it('accepts one step of drift either side, not more, and never an older step after a newer one', async () => {
    const secret = new URL((await enrollTotp(deps(), 'carol', { issuer: 'Enclave' })).uri).searchParams.get('secret')!;
    const now = new Date('2026-03-01T12:00:10.000Z');
    const codeAt = (ms: number) => generate({ secret, epoch: Math.floor((now.getTime() + ms) / 1000) });
    assert.deepEqual(await check('carol', await codeAt(-90_000), now), { ok: false, reason: 'invalid' });
    assert.equal((await check('carol', await codeAt(-30_000), now)).ok, true);
    assert.equal((await check('carol', await codeAt(30_000), now)).ok, true);
    assert.deepEqual(await check('carol', await codeAt(0), now), { ok: false, reason: 'replayed' }, 'a step older than one used');
    assert.deepEqual(await check('carol', '12345', now), { ok: false, reason: 'malformed' });
    assert.deepEqual(await check('dave', await codeAt(0), now), { ok: false, reason: 'not_enrolled' });
  });

  it('locks a user out after repeated wrong codes, until the lockout passes', async () => {
    const secret = new URL((await enrollTotp(deps(), 'carol', { issuer: 'Enclave' })).uri).searchParams.get('secret')!;
    const now = new Date('2026-03-01T12:00:00.000Z');
    const good = await generate({ secret, epoch: now.getTime() / 1000 });
    const wrong = good === '000000' ? '111111' : '000000';
    for (let i = 0; i < POLICY.maxFailures; i++) assert.deepEqual(await check('carol', wrong, now), { ok: false, reason: 'invalid' });
    assert.deepEqual(await check('carol', good, now), { ok: false, reason: 'locked' }, 'even the right code, while locked');
    const later = new Date(now.getTime() + 301_000);
    assert.equal((await check('carol', await generate({ secret, epoch: later.getTime() / 1000 }), later)).ok, true);
  });

  it('binds a sealed secret to its user: copying another user\'s row does not work', async () => {
    await enrollTotp(deps(), 'carol', { issuer: 'Enclave' });
    const sealed = (await approvals.getTotp('carol'))!.sealedSecret;
    await approvals.putTotp({ userId: 'dave', sealedSecret: sealed, createdAt: '2026-01-01T00:00:00.000Z' }, true);
    await assert.rejects(check('dave', '123456', new Date()), { code: 'SECRETS_MISMATCH' });
  });
});
