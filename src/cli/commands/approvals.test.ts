/** `enclave approvals ...` in-process against a real gateway: list, show, approve with TOTP, reject. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../args.ts';
import { bufferIO } from '../io.ts';
import { approvalsCommand } from './approvals.ts';
import { call, enrollForTest, startApprovalsGateway, testTools, totpAt, TestClock, type ApprovalsGateway } from '../../../test/support/approvals.ts';
import { startMockTool, type MockTool } from '../../../test/support/mock-tool.ts';

describe('enclave approvals', () => {
  let dir: string;
  let tool: MockTool;
  let gw: ApprovalsGateway;
  const clock = new TestClock();
  const secrets: Record<string, string> = {};
  const keyFile = (user: string) => join(dir, `${user}.key`);
  const run = async (user: string, args: string[], input = '') => {
    const io = bufferIO(input);
    const code = await approvalsCommand([...args, '--url', gw.url, '--key-file', keyFile(user)], io);
    return { code, out: io.out(), err: io.err() };
  };
  const hold = async () => {
    const res = await call(`${gw.url}/v1/actions`, gw.keys.alice, 'POST', { tool: 'strike', arguments: { target: 'AB1234', rounds: 1 }, justification: 'battery spotted' });
    return res.body.id as string;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'enclave-cli-approvals-'));
    tool = await startMockTool();
    gw = await startApprovalsGateway({ storeUrl: `sqlite:${join(dir, 'enclave.db')}`, dataDir: dir, clock: clock.now, tools: testTools(tool.endpoint) });
    for (const [user, key] of Object.entries(gw.keys)) writeFileSync(keyFile(user), `${key}\n`, { mode: 0o600 });
    for (const u of ['carol', 'dave']) secrets[u] = await enrollForTest(gw, dir, u);
  });
  after(async () => {
    await gw?.close();
    await tool?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists pending requests and shows one', async () => {
    const id = await hold();
    const list = await run('carol', ['list', '--status', 'pending']);
    assert.equal(list.code, 0, list.err);
    assert.match(list.out, new RegExp(`${id}\\s+action\\s+pending\\s+alice\\s+strike\\s+0/2`));
    const show = await run('carol', ['show', id]);
    assert.equal(show.code, 0);
    assert.match(show.out, /justification: battery spotted/);
    assert.match(show.out, /approvals:\s+0\/2 by commander, TOTP required/);
    assert.match(show.out, /"target": "AB1234"/);
    const json = await run('carol', ['show', id, '--json']);
    assert.equal(JSON.parse(json.out).id, id);
  });

  it('approves with a TOTP code (from stdin too) until the action runs', async () => {
    const id = await hold();
    clock.advance(30_000);
    const first = await run('carol', ['approve', id, '--reason', 'confirmed', '--totp', await totpAt(secrets.carol!, clock.now())]);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /status:\s+pending/);
    const second = await run('dave', ['approve', id, '--totp', '-'], `${await totpAt(secrets.dave!, clock.now())}\n`);
    assert.equal(second.code, 0, second.err);
    assert.match(second.out, /status:\s+executed/);
    assert.equal(tool.calls('strike'), 1);
  });

  it('reports refusals with their code and rule, and rejects', async () => {
    const id = await hold();
    const own = await run('alice', ['approve', id, '--totp', '123456']);
    assert.equal(own.code, 1);
    assert.match(own.err, /error 403 approval_denied \(rule approval\.approver_role\)/);
    assert.match(own.err, /audit reference: /);
    const noCode = await run('carol', ['approve', id]);
    assert.match(noCode.err, /totp_required \(rule approval\.fresh_totp\)/);
    const rejected = await run('dave', ['reject', id, '--reason', 'wrong grid']);
    assert.equal(rejected.code, 0);
    assert.match(rejected.out, /rejected:\s+by dave: wrong grid/);
    const missing = await run('carol', ['show', 'apr_doesnotexist']);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /error 404 approval_not_found/);
  });

  it('refuses bad usage', async () => {
    // The dispatcher (main.ts) turns a UsageError into exit code 2.
    const usage = { name: 'UsageError' };
    await assert.rejects(run('carol', ['reject', 'apr_x']), usage, 'reject needs a reason');
    await assert.rejects(run('carol', ['approve', 'apr_x', '--totp', '12']), usage);
    await assert.rejects(run('carol', ['show']), usage);
    await assert.rejects(run('carol', ['list', '--colour', 'red']), (e: unknown) => e instanceof UsageError);
    assert.equal(await approvalsCommand(['frobnicate'], bufferIO()), 2);
  });

  it('says when the gateway cannot be reached', async () => {
    const io = bufferIO();
    assert.equal(await approvalsCommand(['list', '--url', 'http://127.0.0.1:9', '--key-file', keyFile('carol')], io), 1);
    assert.match(io.err(), /error unreachable: cannot reach http:\/\/127\.0\.0\.1:9/);
  });
});
