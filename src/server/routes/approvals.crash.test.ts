/**
 * A gateway process killed (SIGKILL) while a request is pending loses nothing: the restarted
 * process shows the request and its first approval, and the second approval executes it once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyReceipt, type ReceiptPublicKeys } from '../../approvals/index.ts';
import { bootstrapUsers, createApiKey } from '../../identity/index.ts';
import { createSqliteApprovalStore } from '../../store/approvals-sqlite.ts';
import { openSqliteStore } from '../../store/index.ts';
import {
  APPROVAL_TEST_USERS, call, enrollForTest, testTools, totpAt, type ApprovalsGatewayOptions,
} from '../../../test/support/approvals.ts';
import { startMockTool, type MockTool } from '../../../test/support/mock-tool.ts';

const SCRIPT = join(import.meta.dirname, '../../../test/support/approvals.ts');
const STRIKE = { target: 'EF9012', rounds: 3 };

/** Starts the gateway in its own process; resolves once it listens. */
function spawnGateway(spec: ApprovalsGatewayOptions): Promise<{ proc: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
      env: { ...process.env, ENCLAVE_APPROVALS_CHILD: JSON.stringify(spec) }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening (\S+)/.exec(out);
      if (m) resolve({ proc, url: m[1]! });
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code, signal) => reject(new Error(`gateway exited (${code ?? signal}): ${out}`)));
  });
}

function kill(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGKILL');
  });
}

// SQLite: the embedded store, where surviving a crash is this process's own job (WAL,
// synchronous=FULL). On PostgreSQL the same state lives in the server; replicas sharing it are
// exercised by approvals.race.test.ts and the service tests.
describe('crash and restart with a pending request (SQLite)', () => {
  let dir: string;
  let storeUrl: string;
  let tool: MockTool;
  const children: ChildProcess[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'enclave-approvals-crash-'));
    storeUrl = `sqlite:${join(dir, 'enclave.db')}`;
    tool = await startMockTool();
  });
  after(async () => {
    await Promise.all(children.map(kill));
    await tool?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the request and its approvals, and executes it once after the restart', async () => {
    // Users, keys and TOTP enrolments, written straight to the store, as the CLI would.
    const store = openSqliteStore(join(dir, 'enclave.db'));
    await bootstrapUsers(store.identities, APPROVAL_TEST_USERS);
    const keys: Record<string, string> = {};
    for (const u of APPROVAL_TEST_USERS) keys[u.id] = (await createApiKey(store.identities, u.id, 'crash')).key;
    const setup = { store, approvals: createSqliteApprovalStore(store.db) };
    const secrets = { carol: await enrollForTest(setup, dir, 'carol'), dave: await enrollForTest(setup, dir, 'dave') };
    await store.close();
    const spec: ApprovalsGatewayOptions = { storeUrl, dataDir: dir, tools: testTools(tool.endpoint), keys };

    const first = await spawnGateway(spec);
    children.push(first.proc);
    const held = await call(`${first.url}/v1/actions`, keys.alice, 'POST', { tool: 'strike', arguments: STRIKE, justification: 'crash test' });
    assert.equal(held.status, 202);
    const id = held.body.id as string;
    const one = await call(`${first.url}/v1/approvals/${id}/approve`, keys.carol, 'POST', { totp: await totpAt(secrets.carol, new Date()), reason: 'first' });
    assert.equal(one.status, 200);
    await kill(first.proc);

    const second = await spawnGateway(spec);
    children.push(second.proc);
    const after = await call(`${second.url}/v1/approvals/${id}`, keys.alice, 'GET');
    assert.equal(after.body.status, 'pending');
    assert.deepEqual(after.body.approvals.map((a: { approver: string }) => a.approver), ['carol']);
    assert.deepEqual(after.body.arguments, STRIKE);
    assert.equal(tool.calls(), 0);

    const two = await call(`${second.url}/v1/approvals/${id}/approve`, keys.dave, 'POST', { totp: await totpAt(secrets.dave, new Date()), reason: 'second' });
    assert.equal(two.status, 200, JSON.stringify(two.body));
    assert.equal(two.body.status, 'executed');
    assert.equal(tool.calls(), 1);
    const jwks = (await call(`${second.url}/v1/receipts/keys`, undefined, 'GET')).body as ReceiptPublicKeys;
    const receipt = await verifyReceipt(tool.received[0]!.receipt, { publicKeys: jwks, tool: 'strike', arguments: STRIKE, minApprovers: 2 });
    assert.ok(receipt.valid, 'the restarted gateway signs with the same key');
    assert.deepEqual(receipt.claims.approvers, ['carol', 'dave']);
  });
});
