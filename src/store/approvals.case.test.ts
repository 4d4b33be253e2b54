/** The approvals store contract: one suite, run against SQLite and against a real PostgreSQL. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, postgresServerUrl } from '../../test/support/postgres.ts';
import { createPostgresApprovalStore } from './approvals-postgres.ts';
import { createSqliteApprovalStore } from './approvals-sqlite.ts';
import type { ApprovalStore, NewApprovalRequest, SigningKeyRecord } from './approvals-types.ts';
import { StoreError } from './errors.ts';
import { openPostgresStore } from './postgres.ts';
import { openSqliteStore } from './sqlite.ts';

interface Opened {
  approvals: ApprovalStore;
  /** A second, independent connection to the same database (another replica). */
  openReplica(): Promise<{ approvals: ApprovalStore; close(): Promise<void> }>;
  close(): Promise<void>;
}

interface Implementation {
  name: string;
  open(): Promise<Opened | undefined>;
}

const implementations: Implementation[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'enclave-approvals-store-'));
      const path = join(dir, 'enclave.db');
      const store = openSqliteStore(path);
      return {
        approvals: createSqliteApprovalStore(store.db),
        async openReplica() {
          const other = openSqliteStore(path);
          return { approvals: createSqliteApprovalStore(other.db), close: () => other.close() };
        },
        async close() {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    async open() {
      const server = postgresServerUrl();
      if (!server) return undefined;
      const db = await createTestDatabase(server);
      const store = await openPostgresStore(db.url, { maxConnections: 20 });
      return {
        approvals: createPostgresApprovalStore(store.sql),
        async openReplica() {
          const other = await openPostgresStore(db.url, { maxConnections: 20 });
          return { approvals: createPostgresApprovalStore(other.sql), close: () => other.close() };
        },
        async close() {
          await store.close();
          await db.drop();
        },
      };
    },
  },
];

const T0 = '2026-03-01T12:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();

function request(id: string, overrides: Partial<NewApprovalRequest> = {}): NewApprovalRequest {
  return {
    id, kind: 'action', status: 'pending', requester: 'alice', target: 'strike', argumentsJson: '{"grid":"AB12"}',
    argumentsSha256: 'ab'.repeat(32), justification: 'test', effect: 'kinetic', approvalsRequired: 2,
    approverRoles: ['commander'], totpRequired: true, policyIds: ['hold.kinetic_tool'], reasons: ['kinetic'],
    policyContext: {}, requestId: 'req_1', createdAt: T0, expiresAt: at(600), ...overrides,
  };
}

for (const impl of implementations) {
  describe(`approvals store contract: ${impl.name}`, () => {
    let opened: Opened | undefined;
    let store: ApprovalStore;

    before(async () => {
      opened = await impl.open();
      if (opened) store = opened.approvals;
    });
    after(async () => { await opened?.close(); });

    it('creates and reads a request, refusing a duplicate id', async (t) => {
      if (!opened) return t.skip('PostgreSQL is not installed');
      await store.createRequest(request('apr_create'));
      const r = await store.getRequest('apr_create');
      assert.equal(r?.status, 'pending');
      assert.deepEqual(r?.approverRoles, ['commander']);
      assert.equal(r?.totpRequired, true);
      assert.equal(r?.expiresAt, at(600));
      assert.deepEqual(r?.votes, []);
      await assert.rejects(store.createRequest(request('apr_create')), (e: unknown) => e instanceof StoreError && e.code === 'CONFLICT');
      assert.equal(await store.getRequest('apr_missing'), undefined);
    });

    it('counts each approver once, never the requester, and approves at the threshold', async (t) => {
      if (!opened) return t.skip('PostgreSQL is not installed');
      await store.createRequest(request('apr_vote'));
      const vote = (approver: string, s = 1) => store.castVote({ approvalId: 'apr_vote', approver, reason: 'ok', totp: true, at: at(s) });
      assert.equal((await vote('alice')).outcome, 'self');
      assert.equal((await vote('carol')).outcome, 'recorded');
      assert.equal((await vote('carol', 2)).outcome, 'duplicate');
      const second = await vote('dave', 3);
      assert.equal(second.outcome, 'approved');
      assert.ok(second.outcome === 'approved');
      assert.equal(second.record.status, 'approved');
      assert.equal(second.record.decidedAt, at(3));
      assert.deepEqual(second.record.votes.map((v) => v.approver), ['carol', 'dave']);
      assert.equal((await vote('erin', 4)).outcome, 'not_pending');
      assert.equal((await store.castVote({ approvalId: 'nope', approver: 'x', reason: '', totp: false, at: at(1) })).outcome, 'not_found');
    });

    it('expires a request instead of counting a late vote, exactly once', async (t) => {
      if (!opened) return t.skip('PostgreSQL is not installed');
      await store.createRequest(request('apr_late', { expiresAt: at(10) }));
      const late = await store.castVote({ approvalId: 'apr_late', approver: 'carol', reason: '', totp: true, at: at(10) });
      assert.ok(late.outcome === 'expired' && late.transitioned);
      assert.equal(late.record.status, 'expired');
      assert.equal((await store.castVote({ approvalId: 'apr_late', approver: 'dave', reason: '', totp: true, at: at(11) })).outcome, 'not_pending');
      assert.equal(await store.reject({ id: 'apr_late', by: 'carol', reason: 'x', at: at(12) }), false);
    });

    it('rejects only a pending, unexpired request', async (t) => {
      if (!opened) return t.skip('PostgreSQL is not installed');
      await store.createRequest(request('apr_reject'));
      assert.equal(await store.reject({ id: 'apr_reject', by: 'carol', reason: 'no', at: at(5) }), true);
      assert.equal(await store.reject({ id: 'apr_reject', by: 'dave', reason: 'no', at: at(6) }), false);
      const r = await store.getRequest('apr_reject');
      assert.equal(r?.status, 'rejected');
      assert.equal(r?.rejectedBy, 'carol');
      assert.equal(r?.rejectReason, 'no');
      assert.equal((await store.castVote({ approvalId: 'apr_reject', approver: 'dave', reason: '', totp: true, at: at(7) })).outcome, 'not_pending');
    });

    it('lets exactly one executor claim an approved action, and only before it expires', async (t) => {
      if (!opened) return t.skip('PostgreSQL is not installed');
      await store.createRequest(request('apr_claim', { status: 'approved', approvalsRequired: 0, expiresAt: at(100) }));
      const claims = await Promise.all(Array.from({ length: 20 }, (_, i) =>
        store.claimExecution({ id: 'apr_claim', executor: `x${i}`, now: at(1), deadline: at(31) })));
      const winners = claims.filter((c) => c !== undefined);
      assert.equal(winners.length, 1);
      const winner = winners[0]!;
      assert.equal(winner.status, 'executing');
      assert.equal(await store.finishExecution({ id: 'apr_claim', executor: 'someone-else', status: 'executed', at: at(2), result: null, error: null, receiptSha256: null }), false);
      assert.equal(await store.finishExecution({ id: 'apr_claim', executor: winner.executor!, status: 'executed', at: at(2), result: { status: 200, body: { ok: true } }, error: null, receiptSha256: 'cd'.repeat(32) }), true);
      const done = await store.getRequest('apr_claim');
      assert.equal(done?.status, 'executed');
      assert.deepEqual(done?.result, { status: 200, body: { ok: true } });
      assert.equal(done?.receiptSha256, 'cd'.repeat(32));

      await store.createRequest(request('apr_claim_late', { status: 'approved', approvalsRequired: 0, expiresAt: at(100) }));
      assert.equal(await store.claimExecution({ id: 'apr_claim_late', executor: 'x', now: at(100), deadline: at(130) }), undefined);
    });

    it('sweeps: expires due requests and unclaimed approved actions, fails lost executors', async (t) => {
      if (!opened) return t.skip('PostgreSQL is not installed');
      await store.createRequest(request('apr_sweep_pending', { expiresAt: at(1000) }));
      await store.createRequest(request('apr_sweep_approved', { status: 'approved', approvalsRequired: 0, expiresAt: at(1000) }));
      await store.createRequest(request('apr_sweep_unmask', { kind: 'unmask', effect: 'unmask', status: 'approved', approvalsRequired: 0, expiresAt: at(1000) }));
      await store.createRequest(request('apr_sweep_exec', { status: 'approved', approvalsRequired: 0, expiresAt: at(5000) }));
      const claimable = await store.listClaimable({ now: at(999), approvedBefore: at(0) });
      assert.deepEqual(claimable.filter((id) => id.startsWith('apr_sweep')).sort(), ['apr_sweep_approved', 'apr_sweep_exec']);
      assert.deepEqual(await store.listClaimable({ now: at(999), approvedBefore: at(-1) }), [], 'too recently approved: its approver is executing it');
      assert.ok((await store.claimExecution({ id: 'apr_sweep_exec', executor: 'lost', now: at(1), deadline: at(30) })) !== undefined);

      const expired = (await store.expireDue(at(1000))).map((r) => r.id).sort();
      assert.ok(expired.includes('apr_sweep_pending') && expired.includes('apr_sweep_approved'));
      assert.ok(!expired.includes('apr_sweep_unmask'), 'an approved unmask is a grant, not an action waiting to run');
      assert.deepEqual((await store.expireDue(at(1001))).filter((r) => r.id.startsWith('apr_sweep')), []);
      const failed = await store.failStaleExecutions(at(31));
      assert.deepEqual(failed.map((r) => [r.id, r.status, r.error]), [['apr_sweep_exec', 'failed', 'executor_lost']]);
      assert.equal(await store.finishExecution({ id: 'apr_sweep_exec', executor: 'lost', status: 'executed', at: at(32), result: null, error: null, receiptSha256: null }), false);
    });

    it('lists newest first, filtered by status, kind and visibility', async (t) => {
      if (!opened) return t.skip('PostgreSQL is not installed');
      await store.createRequest(request('apr_list_1', { requester: 'lister', createdAt: at(-100), approverRoles: ['ops'] }));
      await store.createRequest(request('apr_list_2', { requester: 'other', createdAt: at(-99), approverRoles: ['intel'] }));
      await store.createRequest(request('apr_list_3', { requester: 'other', kind: 'unmask', effect: 'unmask', createdAt: at(-98), approverRoles: ['ops'] }));
      const mine = await store.listRequests({ visibleTo: { userId: 'lister', roles: [] } });
      assert.deepEqual(mine.map((r) => r.id), ['apr_list_1']);
      const ops = await store.listRequests({ visibleTo: { userId: 'nobody', roles: ['ops'] }, status: 'pending' });
      assert.deepEqual(ops.map((r) => r.id), ['apr_list_3', 'apr_list_1']);
      assert.deepEqual((await store.listRequests({ visibleTo: { userId: 'nobody', roles: ['ops'] }, kind: 'unmask' })).map((r) => r.id), ['apr_list_3']);
      assert.deepEqual((await store.listRequests({ visibleTo: { userId: 'nobody', roles: ['ops', 'intel'] }, before: at(-98), limit: 1 })).map((r) => r.id), ['apr_list_2']);
    });

    it('counts 50 racing approvers from two replicas: exactly the threshold, one approval', async (t) => {
      if (!opened) return t.skip('PostgreSQL is not installed');
      const replica = await opened.openReplica();
      try {
        await store.createRequest(request('apr_race'));
        const results = await Promise.all(Array.from({ length: 50 }, (_, i) =>
          (i % 2 ? replica.approvals : store).castVote({ approvalId: 'apr_race', approver: `u${i}`, reason: '', totp: true, at: at(1) })));
        const outcomes = results.map((r) => r.outcome);
        assert.equal(outcomes.filter((o) => o === 'approved').length, 1);
        assert.equal(outcomes.filter((o) => o === 'recorded').length, 1);
        assert.equal(outcomes.filter((o) => o === 'not_pending').length, 48);
        assert.equal((await store.getRequest('apr_race'))?.votes.length, 2);
      } finally {
        await replica.close();
      }
    });

    it('accepts each TOTP time step once per user', async (t) => {
      if (!opened) return t.skip('PostgreSQL is not installed');
      const rec = { userId: 'carol', sealedSecret: 'sealed', createdAt: T0 };
      assert.equal(await store.putTotp(rec, false), true);
      assert.equal(await store.putTotp({ ...rec, sealedSecret: 'other' }, false), false);
      assert.equal((await store.getTotp('carol'))?.sealedSecret, 'sealed');
      const steps = await Promise.all([1, 2, 3, 4].map(() => store.advanceTotpStep('carol', 58_000_000)));
      assert.equal(steps.filter(Boolean).length, 1, 'the same step is accepted once even when raced');
      assert.equal(await store.advanceTotpStep('carol', 57_999_999), false);
      assert.equal(await store.advanceTotpStep('carol', 58_000_001), true);
      assert.equal(await store.advanceTotpStep('nobody', 1), false);

      assert.equal(await store.noteTotpFailure('carol', at(0), 300), 1);
      assert.equal(await store.noteTotpFailure('carol', at(10), 300), 2);
      assert.equal(await store.noteTotpFailure('carol', at(400), 300), 1, 'a failure after the window starts a new count');
      assert.equal(await store.noteTotpFailure('nobody', at(0), 300), 0);
      assert.equal((await store.getTotp('carol'))?.lastFailureAt, at(400));
      assert.equal(await store.advanceTotpStep('carol', 58_000_002), true);
      assert.equal((await store.getTotp('carol'))?.failures, 0, 'an accepted code clears the failures');
      assert.equal(await store.putTotp({ ...rec, sealedSecret: 'new' }, true), true);
      assert.equal((await store.getTotp('carol'))?.lastStep, null);
      assert.deepEqual((await store.listTotpUsers()).map((u) => u.userId), ['carol']);
      assert.equal(await store.deleteTotp('carol'), true);
      assert.equal(await store.deleteTotp('carol'), false);
    });

    it('keeps one active signing key when replicas race to create it', async (t) => {
      if (!opened) return t.skip('PostgreSQL is not installed');
      const key = (kid: string): SigningKeyRecord => ({ kid, alg: 'EdDSA', publicJwk: { kty: 'OKP', crv: 'Ed25519', x: kid }, sealedPrivateJwk: 'sealed', createdAt: T0, retiredAt: null });
      const wins = await Promise.all(['k1', 'k2', 'k3'].map((k) => store.insertSigningKey(key(k))));
      assert.equal(wins.filter(Boolean).length, 1);
      const keys = await store.listSigningKeys();
      assert.equal(keys.length, 1);
      assert.deepEqual(keys[0]?.publicJwk, { kty: 'OKP', crv: 'Ed25519', x: keys[0]?.kid });
      assert.equal(await store.insertSigningKey({ ...key('k9'), retiredAt: T0 }), true, 'retired keys are not limited');
    });
  });
}
