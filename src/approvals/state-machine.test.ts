/**
 * Model-based property test: random sequences of approvals (with valid, wrong, missing or
 * replayed TOTP codes), rejections, clock moves and sweeps against one kinetic request, checked
 * step by step against a small model of the rules. Whatever the sequence, the tool is called at
 * most once, only after two distinct approvers other than the requester gave fresh codes before
 * the request expired, and with a receipt naming exactly them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { toPrincipal, type Principal } from '../identity/index.ts';
import { verifyReceipt, type ApprovalStatus } from './index.ts';
import { enrollForTest, startApprovalsGateway, testTools, TestClock, totpAt, type ApprovalsGateway } from '../../test/support/approvals.ts';
import { startMockTool, type MockTool } from '../../test/support/mock-tool.ts';

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;
const COMMANDERS = new Set(['carol', 'dave', 'erin']);
const TTL_MS = 3600_000;
const MAX_FAILURES = 5;
const LOCKOUT_MS = 300_000;

type Command =
  | { op: 'approve'; user: (typeof USERS)[number]; code: 'fresh' | 'wrong' | 'none' | 'replayed' }
  | { op: 'reject'; user: (typeof USERS)[number] }
  | { op: 'advance'; ms: number }
  | { op: 'sweep' };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('approve' as const), user: fc.constantFrom(...USERS), code: fc.constantFrom('fresh' as const, 'fresh' as const, 'wrong' as const, 'none' as const, 'replayed' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('reject' as const), user: fc.constantFrom(...USERS) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.constantFrom(30_000, 600_000, 3_600_000) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'sweep' as const }) },
);

/** What the rules say should happen, kept apart from the implementation. */
class Model {
  status: ApprovalStatus = 'pending';
  votes: string[] = [];
  failures = new Map<string, { count: number; last: number }>();
  constructor(readonly expiresAt: number) {}

  private expireIfDue(now: number): boolean {
    if (this.status === 'pending' && now >= this.expiresAt) this.status = 'expired';
    return this.status !== 'pending';
  }

  approve(user: string, code: Command & { op: 'approve' }, now: number): void {
    // Bob holds no approver role and did not ask: to him the request does not exist.
    if (user === 'bob' || this.expireIfDue(now)) return;
    // Policy first: approver role, not the requester, once, a code present for a kinetic action.
    if (!COMMANDERS.has(user) || this.votes.includes(user) || code.code === 'none') return;
    const f = this.failures.get(user);
    if (f && f.count >= MAX_FAILURES && now < f.last + LOCKOUT_MS) return;
    if (code.code === 'wrong') {
      this.failures.set(user, f && now - f.last <= LOCKOUT_MS ? { count: f.count + 1, last: now } : { count: 1, last: now });
      return;
    }
    if (code.code === 'replayed') return;
    this.failures.delete(user);
    this.votes.push(user);
    if (this.votes.length >= 2) this.status = 'executed';
  }

  reject(user: string, now: number): void {
    if (user === 'bob' || this.expireIfDue(now)) return;
    this.status = 'rejected';
  }
}

describe('approval state machine (property)', () => {
  let dir: string;
  let tool: MockTool;
  let gw: ApprovalsGateway;
  const clock = new TestClock(Date.parse('2026-03-01T12:00:00.000Z'));
  const principals = new Map<string, Principal>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'enclave-approvals-model-'));
    tool = await startMockTool();
    gw = await startApprovalsGateway({ storeUrl: `sqlite:${join(dir, 'enclave.db')}`, dataDir: dir, clock: clock.now, tools: testTools(tool.endpoint) });
    for (const u of USERS) principals.set(u, toPrincipal((await gw.store.identities.getUser(u))!, { method: 'api_key', keyId: 'model' }));
  });
  after(async () => {
    await gw?.close();
    await tool?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('follows the model, and never runs the tool twice, early, late or unapproved', async () => {
    await fc.assert(fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 12 }), async (commands) => {
      // Fresh TOTP enrolments: no state carried over from an earlier run.
      const secrets = new Map<string, string>();
      for (const u of COMMANDERS) secrets.set(u, await enrollForTest(gw, dir, u));
      const held = await gw.service.requestAction(principals.get('alice')!, { tool: 'strike', arguments: { target: 'GH3456', rounds: 1 }, justification: 'model', requestId: null });
      assert.ok(held.kind === 'held');
      const id = held.record.id;
      const model = new Model(clock.now().getTime() + TTL_MS);
      const used = new Map<string, string>();

      for (const c of commands) {
        if (c.op === 'advance') clock.advance(c.ms);
        if (c.op === 'sweep') await gw.service.sweep();
        if (c.op === 'reject') {
          await gw.service.reject(principals.get(c.user)!, id, { reason: 'model', requestId: null });
          model.reject(c.user, clock.now().getTime());
        }
        if (c.op === 'approve') {
          let totp: string | undefined;
          const secret = secrets.get(c.user);
          if (c.code === 'fresh') {
            clock.advance(30_000);
            totp = secret ? await totpAt(secret, clock.now()) : '123456';
            if (secret) used.set(c.user, totp);
          } else if (c.code === 'wrong') {
            totp = secret ? ((Number(await totpAt(secret, clock.now())) + 500_000) % 1_000_000).toString().padStart(6, '0') : '123456';
          } else if (c.code === 'replayed') {
            // Outside the drift window a used code is simply wrong; keep the replay meaningful.
            const last = used.get(c.user);
            if (!last) continue;
            totp = last;
          }
          const before = model.failures.get(c.user)?.count ?? 0;
          await gw.service.approve(principals.get(c.user)!, id, { reason: 'model', ...(totp ? { totp } : {}), requestId: null });
          if (c.code === 'replayed') {
            // A replayed code is refused whether or not it is still in the window; only a stale one counts as a failure.
            const r = (await gw.approvals.getTotp(c.user))!;
            if (r.failures > before) model.failures.set(c.user, { count: r.failures, last: clock.now().getTime() });
          }
          model.approve(c.user, c, clock.now().getTime());
        }
        const actual = (await gw.approvals.getRequest(id))!;
        if (c.op === 'sweep' && model.status === 'pending' && clock.now().getTime() >= model.expiresAt) model.status = 'expired';
        assert.equal(actual.status, model.status, `after ${JSON.stringify(c)}`);
        assert.deepEqual(actual.votes.map((v) => v.approver), model.votes);
      }

      const final = (await gw.approvals.getRequest(id))!;
      const calls = tool.received.filter((r) => r.idempotencyKey === id);
      assert.ok(calls.length <= 1, 'never twice');
      if (calls.length === 1) {
        assert.equal(final.status, 'executed');
        const approvers = final.votes.map((v) => v.approver);
        assert.ok(approvers.length >= 2 && new Set(approvers).size === approvers.length && !approvers.includes('alice'));
        assert.ok(final.votes.every((v) => v.totp));
        assert.ok(final.claimedAt! < final.expiresAt, 'claimed before it expired');
        const r = await verifyReceipt(calls[0]!.receipt, { publicKeys: gw.service.signer.jwks(), tool: 'strike', arguments: { target: 'GH3456', rounds: 1 }, now: new Date(Date.parse(final.claimedAt!)) });
        assert.ok(r.valid && r.claims.approvers.join() === [...approvers].sort().join());
      } else {
        assert.notEqual(final.status, 'executed');
      }
    }), { numRuns: 25 });
  });
});
