/**
 * `enclave serve` itself: a bad deployment policy stops it with Cedar's error naming the file and
 * line; and a gateway process SIGKILLed while a kinetic action waits for its second approver
 * loses nothing: restarted on the same data directory, the request is still pending with its
 * first approval, and the second approval executes the tool exactly once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enrollTotp, loadSecretSealer, verifyReceipt, type ReceiptPublicKeys } from '../approvals/index.ts';
import { main } from '../cli/main.ts';
import { bufferIO } from '../cli/io.ts';
import { bootstrapUsers, createApiKey } from '../identity/index.ts';
import { createSqliteApprovalStore } from '../store/approvals-sqlite.ts';
import { openSqliteStore } from '../store/index.ts';
import { call, testTools, totpAt } from '../../test/support/approvals.ts';
import { startMockTool, type MockTool } from '../../test/support/mock-tool.ts';
import { loadConfig } from './config.ts';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/enclave.js');

const USERS = [
  { id: 'alice', name: 'Alice Operator', clearance: 'SECRET', nationality: 'USA', roles: ['analyst', 'operator'] },
  { id: 'carol', name: 'Carol Commander', clearance: 'SECRET', nationality: 'USA', roles: ['commander'] },
  { id: 'dave', name: 'Dave Commander', clearance: 'SECRET', nationality: 'USA', roles: ['commander'] },
];

const OPERATOR_TOOLS = '@id("deploy.operator_tools")\npermit (principal, action == Action::"call_tool", resource is Tool)\nwhen { principal.roles.contains("operator") };\n';

/** Writes enclave.yaml (YAML is a superset of JSON) for a gateway on a free loopback port. */
function writeConfig(dir: string, extra: Record<string, unknown>): string {
  const path = join(dir, 'enclave.yaml');
  writeFileSync(path, JSON.stringify({
    server: { host: '127.0.0.1', port: 0 }, data_dir: dir, policy_dir: join(dir, 'policy'), logging: { level: 'warn' },
    models: [{ id: 'quotes', backend: 'extractive', accredited: 'UNCLASSIFIED' }], users: USERS,
    audit: { origin: 'enclave.test.invalid/serve', checkpoint_interval_ms: 0 },
    ...extra,
  }));
  return path;
}

/** The environment without any key a developer's shell might carry: the data dir holds them. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('ENCLAVE_')) delete env[k];
  return env;
}

/** Runs `enclave serve --config PATH` as its own process; resolves with its URL once it listens. */
function serve(config: string): Promise<{ proc: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, 'serve', '--config', config], { cwd: ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /Enclave listening on (\S+)/.exec(out);
      if (m) resolve({ proc, url: m[1]! });
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code, signal) => reject(new Error(`enclave serve exited (${code ?? signal}): ${out}`)));
  });
}

function kill(proc: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill(signal);
  });
}

describe('enclave serve', () => {
  let dir: string;
  let tool: MockTool;
  const children: ChildProcess[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'enclave-serve-'));
    tool = await startMockTool();
  });
  after(async () => {
    await Promise.all(children.map((c) => kill(c)));
    await tool?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start on a bad deployment policy, with Cedar\'s error at file:line', async () => {
    const bad = join(dir, 'bad');
    mkdirSync(join(bad, 'policy'), { recursive: true });
    writeFileSync(join(bad, 'policy', 'ok.cedar'), OPERATOR_TOOLS);
    // Strict validation: the schema has no `rolez` (line 4); parsing alone would accept it.
    writeFileSync(join(bad, 'policy', 'typo.cedar'), '// a deployment policy with a typo\n@id("deploy.typo")\npermit (principal, action == Action::"chat", resource is Model)\nwhen { principal.rolez.contains("analyst") };\n');
    const io = bufferIO();
    const code = await main(['serve', '--config', writeConfig(bad, { data_dir: bad, policy_dir: join(bad, 'policy') })], io);
    assert.equal(code, 1);
    assert.match(io.err(), /^enclave serve: invalid policy:\ntypo\.cedar:4:\d+: policy deploy\.typo: .*rolez/m);
    assert.doesNotMatch(io.out(), /listening/);

    // A syntax error is located the same way.
    writeFileSync(join(bad, 'policy', 'typo.cedar'), '@id("deploy.syntax")\npermit (principal, action, resource)\nwhen { principal.roles.contains("analyst") ;\n');
    const io2 = bufferIO();
    assert.equal(await main(['serve', '--config', join(bad, 'enclave.yaml')], io2), 1);
    assert.match(io2.err(), /typo\.cedar:3:\d+: /);
    assert.doesNotMatch(io2.out(), /listening/);
  });

  it('keeps a pending kinetic action through SIGKILL and a restart, and executes it once', async () => {
    const data = join(dir, 'crash');
    mkdirSync(join(data, 'policy'), { recursive: true });
    writeFileSync(join(data, 'policy', 'tools.cedar'), OPERATOR_TOOLS);
    const configPath = writeConfig(data, { data_dir: data, tools: testTools(tool.endpoint), approvals: { sweep_ms: 60_000 } });
    const config = loadConfig(configPath, {});

    // Users, keys and TOTP enrolments in the gateway's own store and data dir, as the CLI leaves them.
    const store = openSqliteStore(config.store.slice('sqlite:'.length));
    await bootstrapUsers(store.identities, USERS);
    const keys: Record<string, string> = {};
    for (const u of USERS) keys[u.id] = (await createApiKey(store.identities, u.id, 'serve-test')).key;
    const sealer = loadSecretSealer({ dataDir: data, env: {} });
    const secrets: Record<string, string> = {};
    for (const id of ['carol', 'dave']) {
      const { uri } = await enrollTotp({ store: createSqliteApprovalStore(store.db), identities: store.identities, sealer }, id, { issuer: 'Enclave' });
      secrets[id] = new URL(uri).searchParams.get('secret')!;
    }
    await store.close();

    const strike = { target: 'EF9012', rounds: 3 };
    const first = await serve(configPath);
    children.push(first.proc);
    const held = await call(`${first.url}/v1/actions`, keys.alice, 'POST', { tool: 'strike', arguments: strike, justification: 'serve crash test' });
    assert.equal(held.status, 202, JSON.stringify(held.body));
    const id = held.body.id as string;
    const one = await call(`${first.url}/v1/approvals/${id}/approve`, keys.carol, 'POST', { totp: await totpAt(secrets.carol!, new Date()), reason: 'first' });
    assert.equal(one.status, 200, JSON.stringify(one.body));
    assert.equal(one.body.status, 'pending');
    await kill(first.proc, 'SIGKILL');
    assert.equal(tool.calls(), 0);

    const second = await serve(configPath);
    children.push(second.proc);
    const pending = await call(`${second.url}/v1/approvals/${id}`, keys.alice, 'GET');
    assert.equal(pending.status, 200);
    assert.equal(pending.body.status, 'pending');
    assert.deepEqual(pending.body.approvals.map((a: { approver: string }) => a.approver), ['carol']);
    assert.deepEqual(pending.body.arguments, strike);
    assert.equal(tool.calls(), 0, 'nothing ran while it was pending');

    const two = await call(`${second.url}/v1/approvals/${id}/approve`, keys.dave, 'POST', { totp: await totpAt(secrets.dave!, new Date()), reason: 'second' });
    assert.equal(two.status, 200, JSON.stringify(two.body));
    assert.equal(two.body.status, 'executed');
    assert.equal(tool.calls('strike'), 1);
    // A further approval changes nothing: the action ran once.
    const again = await call(`${second.url}/v1/approvals/${id}/approve`, keys.carol, 'POST', { totp: await totpAt(secrets.carol!, new Date(Date.now() + 30_000)), reason: 'again' });
    assert.equal(again.status, 409);
    assert.equal(tool.calls(), 1);
    const jwks = (await call(`${second.url}/v1/receipts/keys`, undefined, 'GET')).body as ReceiptPublicKeys;
    const receipt = await verifyReceipt(tool.received[0]!.receipt, { publicKeys: jwks, tool: 'strike', arguments: strike, minApprovers: 2 });
    assert.ok(receipt.valid, 'the restarted process signs with the same key');
    assert.deepEqual(receipt.claims.approvers, ['carol', 'dave']);
    await kill(second.proc, 'SIGTERM');
  });
});
