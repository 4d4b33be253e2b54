/** Two `enclave serve` processes on one PostgreSQL answer the same keys, and honour one revocation. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, postgresServerUrl } from '../../test/support/postgres.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/enclave.js');

function serve(config: string): Promise<{ proc: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, 'serve', '--config', config, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Enclave listening on (\S+)/.exec(out);
      if (m) resolve({ proc, url: m[1]! });
    });
    proc.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
    proc.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
}

describe('replicas on one PostgreSQL', () => {
  const server = postgresServerUrl();
  let db: { url: string; drop(): Promise<void> } | undefined;
  let dir: string;
  let config: string;
  const replicas: ChildProcess[] = [];

  before(async () => {
    if (!server) return;
    db = await createTestDatabase(server);
    dir = mkdtempSync(join(tmpdir(), 'enclave-replicas-'));
    config = join(dir, 'enclave.yaml');
    writeFileSync(config, `data_dir: ${dir}\nstore: "\${TEST_DATABASE_URL}"\nlogging: { level: warn }\n` +
      'models:\n  - { id: quotes, backend: extractive }\n' +
      'users:\n  - { id: carol, name: Carol, clearance: SECRET, nationality: USA, roles: [analyst] }\n');
    process.env.TEST_DATABASE_URL = db.url;
  });
  after(async () => {
    for (const r of replicas) r.kill('SIGTERM');
    await Promise.all(replicas.map((r) => new Promise((res) => (r.exitCode !== null ? res(null) : r.once('exit', res)))));
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('both replicas accept a key created by the CLI, and both refuse it once revoked', async (t) => {
    if (!server) return t.skip('PostgreSQL is not installed');
    const env = { ...process.env, TEST_DATABASE_URL: db!.url };
    const [a, b] = await Promise.all([serve(config), serve(config)]);
    replicas.push(a.proc, b.proc);
    const { stdout: key } = await run(process.execPath, [BIN, 'keys', 'create', '--user', 'carol', '--config', config], { env });
    const trimmed = key.trim();
    assert.match(trimmed, /^enc_[A-Za-z0-9_-]{55}$/);
    for (const r of [a, b]) {
      const res = await fetch(`${r.url}/v1/models`, { headers: { authorization: `Bearer ${trimmed}` } });
      assert.equal(res.status, 200);
    }
    const { stdout: list } = await run(process.execPath, [BIN, 'keys', 'list', '--config', config], { env });
    const keyId = trimmed.slice(4, 16);
    assert.match(list, new RegExp(`${keyId}\\s+carol\\s+\\S+\\s+active`));
    await run(process.execPath, [BIN, 'keys', 'revoke', keyId, '--config', config], { env });
    for (const r of [a, b]) {
      const res = await fetch(`${r.url}/v1/models`, { headers: { authorization: `Bearer ${trimmed}` } });
      assert.equal(res.status, 401);
    }
  });
});
