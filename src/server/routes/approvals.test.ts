/**
 * End to end over HTTP, on SQLite and on PostgreSQL: held kinetic actions, two-person
 * integrity, TOTP, expiry, execution with a receipt a real tool server verifies.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyReceipt, type ReceiptPublicKeys } from '../../approvals/index.ts';
import {
  call, enrollForTest, startApprovalsGateway, testTools, totpAt, TestClock, type ApprovalsGateway,
} from '../../../test/support/approvals.ts';
import { startMockTool, type MockTool } from '../../../test/support/mock-tool.ts';
import { createTestDatabase, postgresServerUrl } from '../../../test/support/postgres.ts';

const STRIKE = { target: 'AB1234', rounds: 2 };

interface Backend {
  name: string;
  open(dir: string): Promise<{ url: string; drop(): Promise<void> } | undefined>;
}

const backends: Backend[] = [
  { name: 'sqlite', open: async (dir) => ({ url: `sqlite:${join(dir, 'enclave.db')}`, drop: async () => {} }) },
  {
    name: 'postgres',
    async open() {
      const server = postgresServerUrl();
      return server ? createTestDatabase(server) : undefined;
    },
  },
];

for (const backend of backends) {
  describe(`approvals end to end: ${backend.name}`, () => {
    let dir: string;
    let db: { url: string; drop(): Promise<void> } | undefined;
    let tool: MockTool;
    let gw: ApprovalsGateway;
    let jwks: ReceiptPublicKeys;
    const clock = new TestClock(Date.parse('2026-03-01T12:00:00.000Z'));
    const secrets: Record<string, string> = {};
    let firstReceipt: { receipt: string; at: Date } | undefined;
    const as = (user: string, method: string, path: string, body?: unknown) => call(`${gw.url}${path}`, gw.keys[user], method, body);
    /** A fresh code for `user`: the clock moves one TOTP step first, since each step is accepted once. */
    const code = async (user: string) => { clock.advance(30_000); return totpAt(secrets[user]!, clock.now()); };
    const hold = async (requester = 'alice') => {
      const res = await as(requester, 'POST', '/v1/actions', { tool: 'strike', arguments: STRIKE, justification: 'observed battery at grid AB1234' });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      return res.body.id as string;
    };

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'enclave-approvals-e2e-'));
      db = await backend.open(dir);
      if (!db) return;
      tool = await startMockTool();
      gw = await startApprovalsGateway({
        storeUrl: db.url, dataDir: dir, clock: clock.now,
        tools: testTools(tool.endpoint, { note: { timeout_ms: 300 } }),
      });
      for (const u of ['carol', 'dave', 'erin']) secrets[u] = await enrollForTest(gw, dir, u);
      jwks = (await call(`${gw.url}/v1/receipts/keys`, undefined, 'GET')).body as ReceiptPublicKeys;
      tool.trust(jwks, { minApprovers: { strike: 2 }, now: clock.now });
    });
    after(async () => {
      await gw?.close();
      await tool?.close();
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('holds a kinetic action until two approvers other than the requester give fresh TOTP codes, then calls the tool once', async (t) => {
      if (!db) return t.skip('PostgreSQL is not installed');
      const id = await hold();
      const pending = await as('alice', 'GET', `/v1/approvals/${id}`);
      assert.equal(pending.body.status, 'pending');
      assert.equal(pending.body.approvals_required, 2);
      assert.equal(pending.body.totp_required, true);
      assert.deepEqual(pending.body.policy_ids, ['hold.kinetic_tool', 'hold.tool_approvals']);
      assert.equal(tool.calls(), 0);
      assert.equal((await as('bob', 'GET', `/v1/approvals/${id}`)).status, 404, 'not an approver, not the requester');

      assert.equal((await as('alice', 'POST', `/v1/approvals/${id}/approve`, { totp: '123456' })).status, 403);
      // Carol may approve strikes, but not one she asked for herself.
      const own = await hold('carol');
      const self = await as('carol', 'POST', `/v1/approvals/${own}/approve`, { totp: await code('carol') });
      assert.equal(self.status, 403);
      assert.equal(self.body.error.enclave.rule, 'approval.not_requester');

      const noCode = await as('carol', 'POST', `/v1/approvals/${id}/approve`, {});
      assert.equal(noCode.status, 403);
      assert.equal(noCode.body.error.enclave.rule, 'approval.fresh_totp');

      const good = await code('carol');
      const wrong = good === '000000' ? '000001' : '000000';
      const wrongRes = await as('carol', 'POST', `/v1/approvals/${id}/approve`, { totp: wrong });
      assert.equal(wrongRes.status, 403);
      assert.equal(wrongRes.body.error.code, 'totp_invalid');
      const stale = await totpAt(secrets.carol!, new Date(clock.now().getTime() - 5 * 60_000));
      const staleRes = await as('carol', 'POST', `/v1/approvals/${id}/approve`, { totp: stale });
      assert.equal(staleRes.status, 403);
      assert.equal(staleRes.body.error.code, 'totp_invalid');

      const first = await as('carol', 'POST', `/v1/approvals/${id}/approve`, { totp: good, reason: 'target confirmed' });
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.status, 'pending', 'one approval is not enough');
      assert.equal(tool.calls(), 0);
      const again = await as('carol', 'POST', `/v1/approvals/${id}/approve`, { totp: await code('carol') });
      assert.equal(again.status, 403);
      assert.equal(again.body.error.enclave.rule, 'approval.distinct_approvers');

      const waiting = as('alice', 'GET', `/v1/approvals/${id}?wait=30`);
      const second = await as('dave', 'POST', `/v1/approvals/${id}/approve`, { totp: await code('dave'), reason: 'concur' });
      assert.equal(second.status, 200, JSON.stringify(second.body));
      assert.equal(second.body.status, 'executed');
      assert.deepEqual(second.body.result, { status: 200, body: { ok: true, tool: 'strike', call: 1 } });
      const waited = await waiting;
      assert.equal(waited.body.status, 'executed', 'the long poll ends with the outcome');

      assert.equal(tool.calls(), 1);
      const received = tool.received[0]!;
      assert.equal(received.verification?.valid, true, 'the tool verified the receipt');
      assert.equal(received.idempotencyKey, id);
      const checked = await verifyReceipt(received.receipt, { publicKeys: jwks, tool: 'strike', arguments: STRIKE, now: clock.now(), minApprovers: 2 });
      assert.ok(checked.valid);
      assert.deepEqual(checked.claims.approvers, ['carol', 'dave']);
      assert.equal(checked.claims.jti, id);
      assert.equal(checked.claims.sub, 'alice');
      firstReceipt = { receipt: received.receipt!, at: clock.now() };

      const late = await as('erin', 'POST', `/v1/approvals/${id}/approve`, { totp: await code('erin') });
      assert.equal(late.status, 409);
      assert.equal(tool.calls(), 1, 'exactly once');

      const kinds = gw.events.filter((e) => e.data.approval_id === id).map((e) => `${e.kind}:${String(e.data.action)}:${String(e.data.decision)}`);
      assert.deepEqual(kinds.filter((k) => !k.includes(':deny')), [
        'decision:tool.call:hold', 'approval:approval.approve:approve', 'approval:approval.approve:approve', 'approval:tool.execute:executed',
      ]);
      const executed = gw.events.find((e) => e.data.approval_id === id && e.data.action === 'tool.execute')!;
      assert.deepEqual(executed.data.approvers, ['carol', 'dave']);
      assert.ok(kinds.filter((k) => k.includes(':deny')).length >= 5, 'every refusal is recorded too');
    });

    it('refuses a TOTP code replayed by the same user', async (t) => {
      if (!db) return t.skip('PostgreSQL is not installed');
      const [a, b] = [await hold(), await hold()];
      const once = await code('erin');
      assert.equal((await as('erin', 'POST', `/v1/approvals/${a}/approve`, { totp: once })).status, 200);
      const replay = await as('erin', 'POST', `/v1/approvals/${b}/approve`, { totp: once });
      assert.equal(replay.status, 403);
      assert.equal(replay.body.error.code, 'totp_replayed');
    });

    it('never executes an expired request', async (t) => {
      if (!db) return t.skip('PostgreSQL is not installed');
      const before = tool.calls();
      const id = await hold();
      assert.equal((await as('carol', 'POST', `/v1/approvals/${id}/approve`, { totp: await code('carol') })).status, 200);
      clock.advance(3600_000);
      const late = await as('dave', 'POST', `/v1/approvals/${id}/approve`, { totp: await code('dave') });
      assert.equal(late.status, 409);
      assert.equal(late.body.error.code, 'approval_expired');
      assert.equal((await as('alice', 'GET', `/v1/approvals/${id}`)).body.status, 'expired');

      const swept = await hold();
      clock.advance(3601_000);
      const report = await gw.service.sweep();
      assert.ok(report.expired >= 1);
      assert.equal((await as('alice', 'GET', `/v1/approvals/${swept}?wait=5`)).body.status, 'expired');
      assert.equal(tool.calls(), before, 'no expired request reached the tool');
      assert.ok(gw.events.some((e) => e.data.approval_id === swept && e.data.action === 'approval.expire' && e.actor === 'system:approvals'));
    });

    it('fails verification of a receipt whose arguments, tool, signature or lifetime were tampered with', async (t) => {
      if (!db) return t.skip('PostgreSQL is not installed');
      assert.ok(firstReceipt, 'the first test produced a receipt');
      const { receipt, at } = firstReceipt;
      const tampered = await verifyReceipt(receipt, { publicKeys: jwks, tool: 'strike', arguments: { ...STRIKE, rounds: 9 }, now: at });
      assert.deepEqual(tampered.valid ? 'valid' : tampered.code, 'ARGUMENTS_MISMATCH');
      const reordered = await verifyReceipt(receipt, { publicKeys: jwks, tool: 'strike', arguments: { rounds: 2, target: 'AB1234' }, now: at });
      assert.equal(reordered.valid, true, 'the digest is over canonical JSON: member order does not matter');
      const otherTool = await verifyReceipt(receipt, { publicKeys: jwks, tool: 'lookup', now: at });
      assert.deepEqual(otherTool.valid ? 'valid' : otherTool.code, 'TOOL_MISMATCH');
      const [h, p, s] = receipt.split('.');
      const claims = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as Record<string, unknown>;
      const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, args_sha256: '0'.repeat(64) })).toString('base64url')}.${s}`;
      const bad = await verifyReceipt(forged, { publicKeys: jwks, now: at });
      assert.deepEqual(bad.valid ? 'valid' : bad.code, 'BAD_SIGNATURE');
      const expired = await verifyReceipt(receipt, { publicKeys: jwks, now: new Date(at.getTime() + 3600_000) });
      assert.deepEqual(expired.valid ? 'valid' : expired.code, 'EXPIRED');

      // The tool itself refuses a replayed receipt with changed arguments.
      const direct = await fetch(tool.endpoint('strike'), {
        method: 'POST', headers: { 'content-type': 'application/json', 'enclave-receipt': receipt }, body: JSON.stringify({ ...STRIKE, rounds: 9 }),
      });
      assert.equal(direct.status, 403);
    });

    it('runs an allowed action at once, and refuses denied, unknown, invalid and unjustified ones', async (t) => {
      if (!db) return t.skip('PostgreSQL is not installed');
      const ok = await as('bob', 'POST', '/v1/actions', { tool: 'lookup', arguments: { q: 'grid AB1234' } });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(ok.body.status, 'executed');
      const last = tool.received.at(-1)!;
      assert.equal(last.tool, 'lookup');
      assert.equal(last.verification?.valid, true, 'even an allowed call carries a receipt');

      const denied = await as('bob', 'POST', '/v1/actions', { tool: 'strike', arguments: STRIKE, justification: 'x' });
      assert.equal(denied.status, 403);
      assert.equal(denied.body.error.code, 'action_denied');
      assert.equal(denied.body.error.enclave.rule, 'default.deny');
      assert.ok(denied.body.error.enclave.audit_ref);

      const unknown = await as('alice', 'POST', '/v1/actions', { tool: 'nuke', arguments: {} });
      assert.equal(unknown.status, 404);
      const invalid = await as('alice', 'POST', '/v1/actions', { tool: 'strike', arguments: { target: 'AB1234', rounds: 99 }, justification: 'x' });
      assert.equal(invalid.status, 400);
      assert.equal(invalid.body.error.param, 'arguments.rounds');
      const unjustified = await as('alice', 'POST', '/v1/actions', { tool: 'strike', arguments: STRIKE });
      assert.equal(unjustified.status, 400);
      assert.equal(unjustified.body.error.code, 'justification_required');
      const extra = await as('alice', 'POST', '/v1/actions', { tool: 'lookup', arguments: { q: 'x' }, colour: 'red' });
      assert.equal(extra.status, 400);
      const anonymous = await call(`${gw.url}/v1/actions`, undefined, 'POST', { tool: 'lookup', arguments: { q: 'x' } });
      assert.equal(anonymous.status, 401);
      assert.deepEqual(Object.keys(anonymous.body.error).sort(), ['code', 'enclave', 'message', 'param', 'type']);
    });

    it('lets an approver reject, which ends the request for everyone', async (t) => {
      if (!db) return t.skip('PostgreSQL is not installed');
      const held = await as('alice', 'POST', '/v1/actions', { tool: 'note', arguments: { text: 'hello' }, justification: 'log it' });
      assert.equal(held.status, 202);
      const id = held.body.id as string;
      const list = await as('dave', 'GET', '/v1/approvals?status=pending');
      assert.ok(list.body.data.some((a: { id: string }) => a.id === id));
      assert.equal((await as('dave', 'POST', `/v1/approvals/${id}/reject`, {})).status, 400, 'a reason is required');
      const waiting = as('alice', 'GET', `/v1/approvals/${id}?wait=30`);
      const rejected = await as('dave', 'POST', `/v1/approvals/${id}/reject`, { reason: 'not now' });
      assert.equal(rejected.body.status, 'rejected');
      assert.deepEqual(rejected.body.rejection, { by: 'dave', reason: 'not now' });
      assert.equal((await waiting).body.status, 'rejected');
      assert.equal((await as('carol', 'POST', `/v1/approvals/${id}/approve`, {})).status, 409);
      assert.equal(tool.calls('note'), 0);
    });

    it('records a failing or hanging tool as failed, without calling it again', async (t) => {
      if (!db) return t.skip('PostgreSQL is not installed');
      tool.setBehaviour(['fail_500', 'hang']);
      for (const expected of ['tool_status_500', 'tool_timeout']) {
        const held = await as('alice', 'POST', '/v1/actions', { tool: 'note', arguments: { text: expected }, justification: 'log it' });
        const res = await as('carol', 'POST', `/v1/approvals/${held.body.id as string}/approve`, {});
        assert.equal(res.status, 200);
        assert.equal(res.body.status, 'failed');
        assert.equal(res.body.error, expected);
      }
      tool.setBehaviour([]);
      assert.equal(tool.calls('note'), 2);
      await gw.service.sweep();
      assert.equal(tool.calls('note'), 2);
    });
  });
}
