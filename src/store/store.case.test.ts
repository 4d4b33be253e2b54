/** The store contract: one suite, run against SQLite and against a real PostgreSQL. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openStore, StoreError, type Store, type UserRecord } from './index.ts';
import { createTestDatabase, postgresServerUrl } from '../../test/support/postgres.ts';
import { STORE_TARGETS } from '../../test/support/stores.ts';

const alice: UserRecord = {
  id: 'alice', name: 'Alice Analyst', clearance: 'TOP SECRET//SI/TK', nationality: 'USA',
  roles: ['analyst'], disabled: false, updatedAt: '2026-01-01T00:00:00.000Z',
};

const implementations = STORE_TARGETS;

for (const impl of implementations) {
  describe(`store contract: ${impl.name}`, () => {
    let store: Store;
    let target: { url: string; cleanup(): Promise<void> } | undefined;

    before(async () => {
      target = await impl.open();
      if (target) store = await openStore(target.url);
    });
    after(async () => {
      await store?.close();
      await target?.cleanup();
    });

    it('upserts and reads users, replacing on conflict', async (t) => {
      if (!target) return t.skip('PostgreSQL is not installed');
      await store.identities.upsertUser(alice);
      assert.deepEqual(await store.identities.getUser('alice'), alice);
      const changed = { ...alice, roles: ['analyst', 'approver'], clearance: 'SECRET', updatedAt: '2026-02-01T00:00:00.000Z' };
      await store.identities.upsertUser(changed);
      assert.deepEqual(await store.identities.getUser('alice'), changed);
      assert.equal(await store.identities.getUser('nobody'), undefined);
      assert.deepEqual((await store.identities.listUsers()).map((u) => u.id), ['alice']);
    });

    it('stores keys, rejects a duplicate id, and revokes once', async (t) => {
      if (!target) return t.skip('PostgreSQL is not installed');
      const key = { id: 'k1', userId: 'alice', hash: 'ab'.repeat(32), label: 'laptop', createdAt: '2026-01-01T00:00:00.000Z', revokedAt: null };
      await store.identities.insertApiKey(key);
      await assert.rejects(store.identities.insertApiKey(key), (e: unknown) => e instanceof StoreError && e.code === 'CONFLICT');
      assert.deepEqual(await store.identities.getApiKey('k1'), key);
      await store.identities.insertApiKey({ ...key, id: 'k2', userId: 'bob', createdAt: '2026-01-02T00:00:00.000Z' });
      assert.deepEqual((await store.identities.listApiKeys('alice')).map((k) => k.id), ['k1']);
      assert.deepEqual((await store.identities.listApiKeys()).map((k) => k.id), ['k1', 'k2']);
      assert.equal(await store.identities.revokeApiKey('k1', '2026-03-01T00:00:00.000Z'), true);
      assert.equal(await store.identities.revokeApiKey('k1', '2026-03-02T00:00:00.000Z'), false);
      assert.equal(await store.identities.revokeApiKey('missing', '2026-03-02T00:00:00.000Z'), false);
      assert.equal((await store.identities.getApiKey('k1'))?.revokedAt, '2026-03-01T00:00:00.000Z');
    });

    it('records events and filters them', async (t) => {
      if (!target) return t.skip('PostgreSQL is not installed');
      await store.events.insertEvent({ id: 'e1', at: '2026-01-01T00:00:00.000Z', kind: 'startup', actor: null, requestId: null, data: { version: 1 } });
      await store.events.insertEvent({ id: 'e2', at: '2026-01-01T00:00:01.000Z', kind: 'key.create', actor: 'alice', requestId: 'r1', data: { key: 'k1' } });
      assert.deepEqual((await store.events.listEvents()).map((e) => e.id), ['e1', 'e2']);
      const [e] = await store.events.listEvents({ kind: 'key.create' });
      assert.deepEqual(e, { id: 'e2', at: '2026-01-01T00:00:01.000Z', kind: 'key.create', actor: 'alice', requestId: 'r1', data: { key: 'k1' } });
      assert.deepEqual((await store.events.listEvents({ actor: 'nobody' })), []);
    });

    it('re-opening runs no migration twice and keeps the data', async (t) => {
      if (!target) return t.skip('PostgreSQL is not installed');
      const again = await openStore(target.url);
      try {
        assert.equal((await again.identities.getUser('alice'))?.id, 'alice');
        await again.ping();
      } finally {
        await again.close();
      }
    });
  });
}

describe('openStore', () => {
  it('rejects an unknown scheme without echoing credentials', async () => {
    await assert.rejects(openStore('mysql://root:hunter2@db/x'), (e: unknown) =>
      e instanceof StoreError && e.code === 'BAD_URL' && !e.message.includes('hunter2'));
  });
  it('concurrent PostgreSQL openers migrate exactly once', async (t) => {
    const server = postgresServerUrl();
    if (!server) return t.skip('PostgreSQL is not installed');
    const db = await createTestDatabase(server);
    try {
      const stores = await Promise.all([1, 2, 3, 4].map(() => openStore(db.url)));
      await Promise.all(stores.map((s) => s.close()));
    } finally {
      await db.drop();
    }
  });
});
