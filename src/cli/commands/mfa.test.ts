/** `enclave mfa ...` in-process: the otpauth URI is printed once, and the secret is stored sealed. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bufferIO } from '../io.ts';
import { mfaCommand } from './mfa.ts';

describe('enclave mfa', () => {
  let dir: string;
  let config: string;
  const run = async (args: string[]) => {
    const io = bufferIO();
    const code = await mfaCommand([...args, '--config', config], io);
    return { code, out: io.out(), err: io.err() };
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'enclave-cli-mfa-'));
    config = join(dir, 'enclave.yaml');
    writeFileSync(config, `data_dir: ${dir}\nmodels:\n  - { id: q, backend: extractive }\nusers:\n  - { id: carol, name: Carol, clearance: SECRET, nationality: USA, roles: [commander] }\n`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('enrols once, refuses to replace silently, and never shows or stores the secret in clear', async () => {
    const first = await run(['enroll', '--user', 'carol']);
    assert.equal(first.code, 0, first.err);
    const uri = new URL(first.out.trim());
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.searchParams.get('issuer'), 'Enclave');
    const secret = uri.searchParams.get('secret')!;
    assert.ok(!readFileSync(join(dir, 'enclave.db')).toString('latin1').includes(secret), 'the database file never holds the secret');

    const again = await run(['enroll', '--user', 'carol']);
    assert.equal(again.code, 1);
    assert.match(again.err, /already has a TOTP secret/);
    const forced = await run(['enroll', '--user', 'carol', '--force']);
    assert.equal(forced.code, 0);
    assert.notEqual(new URL(forced.out.trim()).searchParams.get('secret'), secret);

    const status = await run(['status']);
    assert.match(status.out, /carol\s+\d{4}-/);
    assert.ok(!status.out.includes(secret));
  });

  it('removes an enrolment, and refuses unknown users and bad usage', async () => {
    assert.equal((await run(['remove', '--user', 'carol'])).code, 0);
    assert.equal((await run(['remove', '--user', 'carol'])).code, 1);
    const unknown = await run(['enroll', '--user', 'mallory']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /no user "mallory"/);
    assert.equal(await mfaCommand(['enroll'], bufferIO()).catch((e: Error) => e.name), 'UsageError');
    assert.equal(await mfaCommand(['nope'], bufferIO()), 2);
  });
});
