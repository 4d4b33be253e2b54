/** `enclave keys create|list|revoke` in-process: the key is printed once and only its hash stored. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../store/index.ts';
import { main } from './main.ts';
import { bufferIO } from './io.ts';

describe('enclave keys', () => {
  let dir: string;
  let config: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'enclave-cli-'));
    config = join(dir, 'enclave.yaml');
    writeFileSync(config, `data_dir: ${dir}\nmodels:\n  - { id: q, backend: extractive }\nusers:\n  - { id: dave, name: Dave, clearance: CONFIDENTIAL, nationality: CAN, roles: [] }\n`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates, lists and revokes a key', async () => {
    const io = bufferIO();
    assert.equal(await main(['keys', 'create', '--user', 'dave', '--label', 'laptop', '--config', config], io), 0);
    const key = io.out().trim();
    assert.match(key, /^enc_[A-Za-z0-9_-]{55}$/);
    const id = key.slice(4, 16);

    const store = await openStore(`sqlite:${join(dir, 'enclave.db')}`);
    const record = await store.identities.getApiKey(id);
    await store.close();
    assert.ok(record && !JSON.stringify(record).includes(key.slice(16)), 'the secret part is never stored');

    const list = bufferIO();
    assert.equal(await main(['keys', 'list', '--config', config], list), 0);
    assert.match(list.out(), new RegExp(`${id}\\s+dave\\s+\\S+\\s+active\\s+laptop`));
    assert.ok(!list.out().includes(key), 'list never shows the key');

    const revoke = bufferIO();
    assert.equal(await main(['keys', 'revoke', id, '--config', config], revoke), 0);
    const again = bufferIO();
    // After `--` an id is never read as a flag (the form for an old id that starts with '-').
    assert.equal(await main(['keys', 'revoke', '--config', config, '--', id], again), 1);
    assert.match(again.err(), /no active key/);

    // Both changes are audit entries naming the key, never holding it.
    const search = bufferIO();
    assert.equal(await main(['audit', 'search', '--kind', 'key', '--config', config], search), 0);
    const entries = search.out().trim().split('\n').map((l) => JSON.parse(l) as { action?: string; details?: { key_id?: string; user?: string } });
    assert.deepEqual(entries.filter((e) => e.details?.key_id === id).map((e) => [e.action, e.details?.user]), [['keys.create', 'dave'], ['keys.revoke', 'dave']]);
    assert.ok(!search.out().includes(key.slice(16)), 'the audit log never holds the secret');
  });

  it('refuses unknown users, missing flags and unknown subcommands with usage exit codes', async () => {
    const unknown = bufferIO();
    assert.equal(await main(['keys', 'create', '--user', 'mallory', '--config', config], unknown), 1);
    assert.match(unknown.err(), /no user "mallory"/);
    const missing = bufferIO();
    assert.equal(await main(['keys', 'create', '--config', config], missing), 2);
    const bad = bufferIO();
    assert.equal(await main(['keys', 'frobnicate'], bad), 2);
    const flag = bufferIO();
    assert.equal(await main(['keys', 'list', '--colour'], flag), 2);
    assert.equal(await main(['nope'], bufferIO()), 2);
  });

  it('stops with the field and line of a bad configuration', async () => {
    const badConfig = join(dir, 'bad.yaml');
    writeFileSync(badConfig, 'models:\n  - { id: q, backend: extractive }\nusers:\n  - { id: eve, name: Eve, clearance: SECRET, nationality: usa }\n');
    const io = bufferIO();
    assert.equal(await main(['keys', 'list', '--config', badConfig], io), 1);
    assert.match(io.err(), /bad\.yaml:4: users\.0\.nationality/);
  });
});
