/** The approvals key: created once with mode 0600, shared through the environment, refused when exposed. */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APPROVALS_KEY_ENV, APPROVALS_KEY_FILE, createSecretSealer, loadSecretSealer } from './index.ts';
import { randomBytes, utf8 } from '../crypto/index.ts';

describe('approvals key', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'enclave-approvals-key-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is created at first start, private, and the same at the next start', async () => {
    const first = loadSecretSealer({ dataDir: dir, env: {} });
    const path = join(dir, APPROVALS_KEY_FILE);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const sealed = await first.seal('test', utf8('hello'));
    const second = loadSecretSealer({ dataDir: dir, env: {} });
    assert.equal(Buffer.from(await second.open('test', sealed)).toString(), 'hello');
    assert.ok(!sealed.includes('hello') && !sealed.includes(readFileSync(path, 'utf8').trim()));
  });

  it('is refused when group or others can read it, or when it is not 32 bytes', () => {
    loadSecretSealer({ dataDir: dir, env: {} });
    chmodSync(join(dir, APPROVALS_KEY_FILE), 0o644);
    assert.throws(() => loadSecretSealer({ dataDir: dir, env: {} }), { code: 'SECRETS_UNAVAILABLE' });
    assert.throws(() => loadSecretSealer({ dataDir: dir, env: { [APPROVALS_KEY_ENV]: 'c2hvcnQ' } }), { code: 'SECRETS_UNAVAILABLE' });
    assert.throws(() => loadSecretSealer({ dataDir: join(dir, 'none'), env: {}, create: false }), { code: 'SECRETS_UNAVAILABLE' });
  });

  it('comes from the environment when set, so replicas share it', async () => {
    const key = Buffer.from(randomBytes(32)).toString('base64url');
    const a = loadSecretSealer({ dataDir: dir, env: { [APPROVALS_KEY_ENV]: key } });
    const b = loadSecretSealer({ dataDir: join(dir, 'elsewhere'), env: { [APPROVALS_KEY_ENV]: key } });
    assert.equal(Buffer.from(await b.open('p', await a.seal('p', utf8('x')))).toString(), 'x');
  });

  it('does not open another key\'s or another purpose\'s envelope', async () => {
    const a = createSecretSealer(randomBytes(32));
    const sealed = await a.seal('totp:carol', utf8('secret'));
    await assert.rejects(createSecretSealer(randomBytes(32)).open('totp:carol', sealed), { code: 'SECRETS_MISMATCH' });
    await assert.rejects(a.open('totp:dave', sealed), { code: 'SECRETS_MISMATCH' });
  });
});
