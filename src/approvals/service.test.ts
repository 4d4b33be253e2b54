/**
 * The service without HTTP: model tool-call review, the sweeper after a crash, lost executors,
 * policy asked again at execution, unmasking grants, long polls.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toPrincipal, type Principal } from '../identity/index.ts';
import { createPolicyEngine } from '../policy/index.ts';
import { argumentsDigest, canonicalJson } from './index.ts';
import { enrollForTest, startApprovalsGateway, testTools, TestClock, totpAt, TEST_POLICIES, type ApprovalsGateway } from '../../test/support/approvals.ts';
import { startMockTool, type MockTool } from '../../test/support/mock-tool.ts';

describe('approval service', () => {
  let dir: string;
  let tool: MockTool;
  let gw: ApprovalsGateway;
  let replica: ApprovalsGateway;
  const clock = new TestClock(Date.parse('2026-03-01T12:00:00.000Z'));
  const secrets: Record<string, string> = {};
  const principal = async (id: string): Promise<Principal> => toPrincipal((await gw.store.identities.getUser(id))!, { method: 'api_key', keyId: 'test' });
  const approveWithCode = async (user: string, id: string) => {
    clock.advance(30_000);
    return gw.service.approve(await principal(user), id, { reason: 'ok', totp: await totpAt(secrets[user]!, clock.now()), requestId: null });
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'enclave-approvals-service-'));
    tool = await startMockTool();
    const options = { storeUrl: `sqlite:${join(dir, 'enclave.db')}`, dataDir: dir, clock: clock.now, tools: testTools(tool.endpoint) };
    gw = await startApprovalsGateway(options);
    replica = await startApprovalsGateway({ ...options, keys: gw.keys });
    for (const u of ['carol', 'dave']) secrets[u] = await enrollForTest(gw, dir, u);
  });
  after(async () => {
    await replica?.close();
    await gw?.close();
    await tool?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reviews a model\'s tool calls: keeps allowed and client-side ones, strips denied and invalid ones, opens approvals for held ones', async () => {
    const calls = [
      { id: 'c1', type: 'function' as const, function: { name: 'lookup', arguments: '{"q":"grid"}' } },
      { id: 'c2', type: 'function' as const, function: { name: 'strike', arguments: '{"target":"AB1234","rounds":1}' } },
      { id: 'c3', type: 'function' as const, function: { name: 'strike', arguments: '{"target":"nowhere"}' } },
      { id: 'c4', type: 'function' as const, function: { name: 'calculator', arguments: '{}' } },
      { id: 'c5', type: 'function' as const, function: { name: 'lookup', arguments: 'not json' } },
    ];
    const review = await gw.service.reviewToolCalls(await principal('alice'), calls, { requestId: 'req_chat' });
    assert.deepEqual(review.kept.map((c) => c.id), ['c1', 'c4']);
    assert.deepEqual(review.annotations.map((a) => [a.id, a.decision]), [['c1', 'allow'], ['c2', 'hold'], ['c3', 'invalid'], ['c4', 'unregistered'], ['c5', 'invalid']]);
    assert.equal(review.approvals.length, 1);
    const held = review.approvals[0]!;
    assert.equal(review.annotations[1]?.approval_id, held.id);
    assert.equal(held.argumentsJson, canonicalJson({ target: 'AB1234', rounds: 1 }));
    assert.match(held.justification, /req_chat/);
    assert.equal(tool.calls(), 0, 'reviewing never runs a tool');

    const denied = await gw.service.reviewToolCalls(await principal('bob'), [calls[1]!], { requestId: 'req_bob' });
    assert.deepEqual([denied.kept, denied.annotations[0]?.decision, denied.annotations[0]?.policy_ids], [[], 'deny', ['default.deny']]);
    const force = await gw.service.reviewToolCalls(await principal('alice'), [calls[0]!], { requestId: 'req_uof', signals: [{ category: 'use_of_force', score: 0.9 }] });
    assert.equal(force.annotations[0]?.decision, 'hold', 'any tool call on a use-of-force request is held');
    assert.deepEqual(force.annotations[0]?.policy_ids, ['hold.use_of_force_action']);
    assert.deepEqual(force.approvals[0]?.approverRoles, ['approver'], 'the default approver roles, since lookup names none');
  });

  it('runs, once, an approved action whose gateway died before running it, even with two replicas sweeping', async () => {
    const args = { text: 'orphan' };
    const id = 'apr_orphan';
    await gw.approvals.createRequest({
      id, kind: 'action', status: 'approved', requester: 'alice', target: 'note', argumentsJson: canonicalJson(args), argumentsSha256: argumentsDigest(args),
      justification: 'left approved by a crash', effect: 'write', approvalsRequired: 0, approverRoles: [], totpRequired: false, policyIds: ['test.operator_tools'],
      reasons: [], policyContext: {}, requestId: null, createdAt: clock.now().toISOString(), expiresAt: new Date(clock.now().getTime() + 3600_000).toISOString(),
    });
    assert.equal((await gw.service.sweep()).executed, 0, 'too fresh: its approver may be running it');
    clock.advance(61_000);
    const reports = await Promise.all([gw.service.sweep(), replica.service.sweep()]);
    assert.equal(reports[0].executed + reports[1].executed, 1);
    assert.equal(tool.calls('note'), 1);
    assert.equal((await gw.approvals.getRequest(id))?.status, 'executed');
  });

  it('fails, and never retries, an action whose executor vanished mid-call', async () => {
    const before = tool.calls();
    const args = { text: 'lost' };
    await gw.approvals.createRequest({
      id: 'apr_lost', kind: 'action', status: 'approved', requester: 'alice', target: 'note', argumentsJson: canonicalJson(args), argumentsSha256: argumentsDigest(args),
      justification: 'x', effect: 'write', approvalsRequired: 0, approverRoles: [], totpRequired: false, policyIds: [], reasons: [], policyContext: {},
      requestId: null, createdAt: clock.now().toISOString(), expiresAt: new Date(clock.now().getTime() + 3600_000).toISOString(),
    });
    const claimed = await gw.approvals.claimExecution({ id: 'apr_lost', executor: 'dead-replica', now: clock.now().toISOString(), deadline: new Date(clock.now().getTime() + 5000).toISOString() });
    assert.ok(claimed);
    clock.advance(6000);
    assert.equal((await gw.service.sweep()).lost, 1);
    const r = await gw.approvals.getRequest('apr_lost');
    assert.deepEqual([r?.status, r?.error], ['failed', 'executor_lost']);
    clock.advance(120_000);
    await gw.service.sweep();
    assert.equal(tool.calls(), before);
    assert.ok(gw.events.some((e) => e.data.approval_id === 'apr_lost' && e.data.rule === 'approval.executor_lost'));
  });

  it('asks policy again before executing: a requester disabled meanwhile stops the action', async () => {
    const alice = await principal('alice');
    const held = await gw.service.requestAction(alice, { tool: 'note', arguments: { text: 'x' }, justification: 'note it', requestId: null });
    assert.equal(held.kind, 'held');
    const user = (await gw.store.identities.getUser('alice'))!;
    await gw.store.identities.upsertUser({ ...user, disabled: true });
    try {
      const before = tool.calls();
      const outcome = await gw.service.approve(await principal('dave'), held.kind === 'held' ? held.record.id : '', { reason: 'ok', requestId: null });
      assert.ok(outcome.kind === 'approved');
      assert.deepEqual([outcome.record.status, outcome.record.error], ['failed', 'policy_denied']);
      assert.equal(tool.calls(), before);
    } finally {
      await gw.store.identities.upsertUser(user);
    }
  });

  it('handles unmasking as an approval that grants its requester the identity until it expires', async () => {
    const engine = await createPolicyEngine({ policies: TEST_POLICIES });
    const bob = await principal('bob');
    const decision = engine.decide({ principal: { id: 'bob', clearance: { level: 2, compartments: [] }, nationality: 'USA', roles: ['analyst'] }, action: 'unmask', resource: { type: 'Portion', id: 'doc-1#p2', label: { level: 2, compartments: [] } } });
    assert.equal(decision.effect, 'hold');
    const input = { subject: 'usper:7f3a', details: { portion: 'doc-1#p2', mask: 'U.S. PERSON 1' }, decision, requestId: 'req_u', approverRoles: ['commander'] };
    assert.equal((await gw.service.openUnmaskRequest(bob, { ...input, justification: 'need it' })).kind, 'justification_required');
    const opened = await gw.service.openUnmaskRequest(bob, { ...input, justification: 'the identity is needed to understand the threat reporting' });
    assert.ok(opened.kind === 'held');
    assert.equal(await gw.service.findUnmaskGrant('bob', 'usper:7f3a'), undefined);
    const approved = await gw.service.approve(await principal('dave'), opened.record.id, { reason: 'necessary', requestId: null });
    assert.ok(approved.kind === 'approved' && approved.record.status === 'approved');
    assert.equal((await gw.service.findUnmaskGrant('bob', 'usper:7f3a'))?.id, opened.record.id);
    assert.equal(await gw.service.findUnmaskGrant('alice', 'usper:7f3a'), undefined);
    assert.equal(await gw.service.findUnmaskGrant('bob', 'usper:other'), undefined);
    assert.ok(gw.events.some((e) => e.kind === 'unmask' && e.data.approval_id === opened.record.id && e.data.action === 'approval.approve'));
    clock.advance(3601_000);
    assert.equal(await gw.service.findUnmaskGrant('bob', 'usper:7f3a'), undefined, 'the grant ends when the request expires');
  });

  it('long-polls until the request settles, and returns early on abort', async () => {
    const alice = await principal('alice');
    const held = await gw.service.requestAction(alice, { tool: 'strike', arguments: { target: 'AB1234', rounds: 1 }, justification: 'poll', requestId: null });
    assert.ok(held.kind === 'held');
    const abort = new AbortController();
    const aborted = gw.service.wait(alice, held.record.id, 30, abort.signal);
    abort.abort();
    assert.equal((await aborted)?.status, 'pending');
    assert.equal(await gw.service.wait(await principal('bob'), held.record.id, 1), undefined, 'not visible to bob');

    const waiting = gw.service.wait(alice, held.record.id, 30);
    // The second approval lands on the other replica: the waiter sees it by re-reading the store.
    assert.equal((await approveWithCode('carol', held.record.id)).kind, 'approved');
    clock.advance(30_000);
    const second = await replica.service.approve(await principal('dave'), held.record.id, { reason: 'ok', totp: await totpAt(secrets.dave!, clock.now()), requestId: null });
    assert.ok(second.kind === 'approved' && second.record.status === 'executed');
    assert.equal((await waiting)?.status, 'executed');
  });
});
