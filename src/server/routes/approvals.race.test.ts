/**
 * Fifty approvers race to approve one kinetic request through two gateway replicas sharing
 * one store: the votes are counted atomically and the tool is called exactly once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapUsers, createApiKey } from '../../identity/index.ts';
import {
  call, enrollForTest, startApprovalsGateway, testTools, totpAt, TestClock, type ApprovalsGateway,
} from '../../../test/support/approvals.ts';
import { startMockTool, type MockTool } from '../../../test/support/mock-tool.ts';
import { createTestDatabase, postgresServerUrl } from '../../../test/support/postgres.ts';

const APPROVERS = 50;

const backends = [
  { name: 'sqlite', open: async (dir: string) => ({ url: `sqlite:${join(dir, 'enclave.db')}`, drop: async () => {} }) },
  {
    name: 'postgres',
    async open() {
      const server = postgresServerUrl();
      return server ? createTestDatabase(server) : undefined;
    },
  },
];

for (const backend of backends) {
  describe(`50 approvers racing on two replicas: ${backend.name}`, () => {
    let dir: string;
    let db: { url: string; drop(): Promise<void> } | undefined;
    let tool: MockTool;
    const replicas: ApprovalsGateway[] = [];
    const clock = new TestClock();

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'enclave-approvals-race-'));
      db = await backend.open(dir);
      if (!db) return;
      tool = await startMockTool();
      const options = { storeUrl: db.url, dataDir: dir, clock: clock.now, tools: testTools(tool.endpoint) };
      const first = await startApprovalsGateway(options);
      replicas.push(first, await startApprovalsGateway({ ...options, keys: first.keys }));
    });
    after(async () => {
      for (const r of replicas) await r.close();
      await tool?.close();
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('executes the action exactly once', async (t) => {
      if (!db) return t.skip('PostgreSQL is not installed');
      const [a, b] = replicas as [ApprovalsGateway, ApprovalsGateway];
      const ids = Array.from({ length: APPROVERS }, (_, i) => `approver-${String(i).padStart(2, '0')}`);
      await bootstrapUsers(a.store.identities, ids.map((id) => ({ id, name: id, clearance: 'SECRET', nationality: 'USA', roles: ['commander'] })));
      const approvers = await Promise.all(ids.map(async (id) => ({
        id, key: (await createApiKey(a.store.identities, id, 'race')).key, secret: await enrollForTest(a, dir, id),
      })));

      const held = await call(`${a.url}/v1/actions`, a.keys.alice, 'POST', { tool: 'strike', arguments: { target: 'CD5678', rounds: 1 }, justification: 'race' });
      assert.equal(held.status, 202);
      const id = held.body.id as string;
      const codes = await Promise.all(approvers.map((p) => totpAt(p.secret, clock.now())));
      const results = await Promise.all(approvers.map((p, i) =>
        call(`${(i % 2 ? b : a).url}/v1/approvals/${id}/approve`, p.key, 'POST', { totp: codes[i], reason: 'race' })));

      const statuses = results.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 200).length, 2, `exactly the two votes that were needed count: ${JSON.stringify(statuses)}`);
      assert.equal(statuses.filter((s) => s === 409).length, APPROVERS - 2);
      assert.equal(results.filter((r) => r.body.status === 'executed').length, 1);
      assert.equal(tool.calls('strike'), 1, 'the tool is called exactly once');
      const final = await call(`${b.url}/v1/approvals/${id}`, a.keys.alice, 'GET');
      assert.equal(final.body.status, 'executed');
      assert.equal(final.body.approvals.length, 2);
      const executions = [...a.events, ...b.events].filter((e) => e.data.approval_id === id && e.data.action === 'tool.execute');
      assert.equal(executions.length, 1, 'one execution recorded, by one replica');
    });
  });
}
