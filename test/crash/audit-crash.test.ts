/**
 * Crash safety of the audit log: a gateway serving concurrent chat requests is SIGKILLed at a
 * random moment, three times. Every request it answered 200 with `enclave.audit_ref` must be in
 * the log afterwards at that index, with its request id, and the whole log must verify.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/server/index.ts';
import { openGatewayAudit } from '../../src/server/audit-setup.ts';
import { openStore } from '../../src/store/index.ts';

const NODE = process.execPath;
const ROUNDS = 3;
const CONCURRENCY = 12;

interface Ack { index: number; requestId: string }

function startServer(config: string, env: NodeJS.ProcessEnv): Promise<{ proc: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(NODE, ['bin/enclave.js', 'serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`gateway did not start:\n${out}`)); }, 20_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Enclave listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve({ proc, url: m[1]! }); }
    });
    proc.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`gateway exited with ${code}:\n${out}`)); });
  });
}

/** One chat request; resolves with the acknowledgement on a 200 carrying an audit ref, else null. */
function chat(url: string, key: string, n: number): Promise<Ack | null> {
  const body = JSON.stringify({ model: 'quotes', messages: [{ role: 'user', content: `Summarise item ${n} of the logistics report.` }] });
  return new Promise((resolve) => {
    const req = request(`${url}/v1/chat/completions`, { method: 'POST', agent: false, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('error', () => resolve(null));
      res.on('end', () => {
        if (res.statusCode !== 200) return resolve(null);
        try {
          const enclave = (JSON.parse(text) as { enclave?: { audit_ref?: string; request_id?: string } }).enclave;
          const m = /^audit:(\d+)$/.exec(enclave?.audit_ref ?? '');
          resolve(m && enclave?.request_id ? { index: Number(m[1]), requestId: enclave.request_id } : null);
        } catch {
          resolve(null);
        }
      });
    });
    req.on('error', () => resolve(null));
    req.end(body);
  });
}

describe('audit log under SIGKILL', () => {
  let dir: string;
  let config: string;
  let child: ChildProcess | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'enclave-audit-crash-'));
    config = join(dir, 'enclave.yaml');
    writeFileSync(config, `server: { host: 127.0.0.1, port: 0 }
data_dir: ${join(dir, 'data')}
logging: { level: warn }
audit: { origin: crash.test.invalid/enclave, checkpoint_interval_ms: 200 }
models:
  - { id: quotes, backend: extractive }
users:
  - { id: carol, name: Carol Crash, clearance: "SECRET", nationality: USA, roles: [analyst] }
`);
  });
  after(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged entry across three crashes, and the log verifies', { timeout: 60_000 }, async (t) => {
    const env = { ...process.env, ENCLAVE_KEY_SECRET: 'crash-test-secret' };
    const key = execFileSync(NODE, ['bin/enclave.js', 'keys', 'create', '--user', 'carol', '--config', config], { encoding: 'utf8', env }).trim();
    const acks: Ack[] = [];
    let sent = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const server = await startServer(config, env);
      child = server.proc;
      const exited = new Promise<void>((r) => server.proc.once('exit', () => r()));
      let dead = false;
      const workers = Array.from({ length: CONCURRENCY }, async () => {
        while (!dead) {
          const ack = await chat(server.url, key, sent++);
          if (ack) acks.push(ack);
        }
      });
      // The kill moment is random; nothing is asserted about timing, only about what was acknowledged.
      const delay = 300 + Math.floor(Math.random() * 900);
      await new Promise((r) => setTimeout(r, delay));
      server.proc.kill('SIGKILL');
      await exited;
      dead = true;
      await Promise.all(workers);
    }
    child = undefined;
    assert.ok(acks.length > 0, 'no request was acknowledged before the kills');

    const cfg = loadConfig(config, env);
    const store = await openStore(cfg.store);
    const audit = await openGatewayAudit(cfg, store, { env, checkpointIntervalMs: 0, createKeys: false, closeStore: () => store.close() });
    try {
      const byIndex = new Map<number, string | undefined>();
      for await (const page of audit.log.readEntries(0, audit.log.size)) {
        for (const e of page) byIndex.set(e.index, (JSON.parse(e.data) as { requestId?: string }).requestId);
      }
      for (const ack of acks) assert.equal(byIndex.get(ack.index), ack.requestId, `acknowledged entry ${ack.index} (${ack.requestId}) is missing or different`);
      assert.equal(new Set(acks.map((a) => a.index)).size, acks.length, 'two requests were given the same index');
      await audit.log.checkpoint();
      const result = await audit.log.verify({ strict: true });
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.size, audit.log.size);
      assert.equal(result.uncovered, 0);
      t.diagnostic(`${acks.length} acknowledged of ${sent} sent; log holds ${result.size} entries, ${result.checkpoints} checkpoints`);
    } finally {
      await audit.close();
    }
  });
});
