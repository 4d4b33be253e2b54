/** `enclave keys init|rotate` and `enclave audit` over a configured deployment, run in-process. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bufferIO } from '../io.ts';
import { createAuditCommand } from './audit.ts';
import { openAuditLog } from './audit-deps.ts';
import { createKeysInitCommand, createKeysRotateCommand } from './keys-init.ts';

describe('enclave keys init|rotate', () => {
  let dir: string;
  let config: string;
  const env = { ...process.env, ENCLAVE_KEY_SECRET: '' };
  const audit = createAuditCommand({ openAuditLog: (o) => openAuditLog(o, env) });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'enclave-keys-init-'));
    config = join(dir, 'enclave.yaml');
    writeFileSync(config, `data_dir: ${join(dir, 'data')}\naudit: { origin: audit.test.invalid/cli, checkpoint_interval_ms: 0 }\nmodels:\n  - { id: m, backend: extractive }\n`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses audit commands before a key ring exists', async () => {
    await assert.rejects(audit(['verify', '--config', config], bufferIO()), /no audit key ring/);
  });

  it('creates a ring sealed with a local 0600 secret, warns about it, and refuses a second init', async () => {
    const io = bufferIO();
    assert.equal(await createKeysInitCommand(env)(['--config', config], io), 0, io.err());
    assert.match(io.err(), /ENCLAVE_KEY_SECRET is not set/);
    const vkeys = io.out().trim().split('\n');
    assert.equal(vkeys.length, 2);
    assert.ok(vkeys.every((k) => k.startsWith('audit.test.invalid/cli+')));
    assert.equal(statSync(join(dir, 'data', 'audit-key-secret')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'data', 'audit-keys.sealed')).mode & 0o777, 0o600);
    const again = bufferIO();
    assert.equal(await createKeysInitCommand(env)(['--config', config], again), 1);
    assert.match(again.err(), /already exists/);
  });

  it('rotates: new keys sign, the retired ones still verify, and both changes are in the log', async () => {
    const first = bufferIO();
    assert.equal(await audit(['checkpoint', '--config', config], first), 0, first.err());
    const io = bufferIO();
    assert.equal(await createKeysRotateCommand(env)(['--config', config], io), 0, io.err());
    assert.equal(io.out().trim().split('\n').length, 4);
    const cp = bufferIO();
    assert.equal(await audit(['checkpoint', '--config', config], cp), 0, cp.err());
    const verify = bufferIO();
    assert.equal(await audit(['verify', '--strict', '--json', '--config', config], verify), 0, verify.out());
    const result = JSON.parse(verify.out()) as { size: number; checkpoints: number };
    assert.equal(result.size, 2);
    assert.equal(result.checkpoints, 2);
    const search = bufferIO();
    assert.equal(await audit(['search', '--kind', 'key', '--config', config], search), 0);
    assert.deepEqual(search.out().trim().split('\n').map((l) => (JSON.parse(l) as { action: string }).action), ['keys.init', 'keys.rotate']);
  });
});
