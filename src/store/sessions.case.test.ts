/** The console session store contract: one suite, run against SQLite and against a real PostgreSQL. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openStore, StoreError, type Store } from './index.ts';
import type { SessionRecord, SessionStore } from './sessions-types.ts';
import { STORE_TARGETS } from '../../test/support/stores.ts';

const T0 = 1_800_000_000_000;
const MIN = 60_000;

function session(idHash: string, userId = 'alice', over: Partial<SessionRecord> = {}): SessionRecord {
  return {
    idHash, userId, principal: JSON.stringify({ id: userId }), csrfToken: `csrf-${idHash}`,
    createdAt: T0, lastSeenAt: T0, idleExpiresAt: T0 + 30 * MIN, absoluteExpiresAt: T0 + 8 * 60 * MIN, ...over,
  };
}

const implementations = STORE_TARGETS;

for (const impl of implementations) {
  describe(`session store contract: ${impl.name}`, () => {
    let store: Store;
    let sessions: SessionStore;
    let target: { url: string; cleanup(): Promise<void> } | undefined;

    before(async () => {
      target = await impl.open();
      if (!target) return;
      store = await openStore(target.url);
      sessions = store.sessions;
    });
    after(async () => {
      await store?.close();
      await target?.cleanup();
    });

    it('creates a session and touches it, sliding the idle expiry', async (t) => {
      if (!target) return t.skip('PostgreSQL is not installed');
      await sessions.createSession(session('a1'));
      const touched = await sessions.touchSession('a1', T0 + 10 * MIN, 30 * MIN);
      assert.equal(touched?.userId, 'alice');
      assert.equal(touched?.csrfToken, 'csrf-a1');
      assert.equal(touched?.lastSeenAt, T0 + 10 * MIN);
      assert.equal(touched?.idleExpiresAt, T0 + 40 * MIN);
      assert.equal(touched?.principal, JSON.stringify({ id: 'alice' }));
    });

    it('refuses a duplicate id with CONFLICT', async (t) => {
      if (!target) return t.skip('PostgreSQL is not installed');
      await sessions.createSession(session('dup'));
      await assert.rejects(sessions.createSession(session('dup')), (e: unknown) => e instanceof StoreError && e.code === 'CONFLICT');
    });

    describe('when a limit has passed', () => {
      it('finds nothing after the idle expiry', async (t) => {
        if (!target) return t.skip('PostgreSQL is not installed');
        await sessions.createSession(session('idle'));
        assert.equal(await sessions.touchSession('idle', T0 + 30 * MIN, 30 * MIN), undefined);
      });

      it('never slides the idle expiry past the absolute expiry, and finds nothing after it', async (t) => {
        if (!target) return t.skip('PostgreSQL is not installed');
        await sessions.createSession(session('abs', 'alice', { absoluteExpiresAt: T0 + 40 * MIN }));
        const s = await sessions.touchSession('abs', T0 + 25 * MIN, 30 * MIN);
        assert.equal(s?.idleExpiresAt, T0 + 40 * MIN);
        assert.ok(await sessions.touchSession('abs', T0 + 39 * MIN, 30 * MIN));
        assert.equal(await sessions.touchSession('abs', T0 + 40 * MIN, 30 * MIN), undefined);
      });

      it('purges expired sessions and logins only', async (t) => {
        if (!target) return t.skip('PostgreSQL is not installed');
        await sessions.createSession(session('p-old', 'purge', { idleExpiresAt: T0 + 1 }));
        await sessions.createSession(session('p-new', 'purge', { idleExpiresAt: T0 + 1_000 * MIN, absoluteExpiresAt: T0 + 2_000 * MIN }));
        await sessions.saveLogin({ stateHash: 'p-login', verifier: 'v', nonce: 'n', returnTo: '/console/ask', expiresAt: T0 + 1 });
        const purged = await sessions.purgeExpired(T0 + 999 * MIN);
        assert.ok(purged >= 2);
        assert.equal(await sessions.touchSession('p-old', T0, 1), undefined);
        assert.ok(await sessions.touchSession('p-new', T0 + 999 * MIN, MIN));
        assert.equal(await sessions.takeLogin('p-login', T0), undefined);
      });
    });

    it('deletes one session, then every session of a user', async (t) => {
      if (!target) return t.skip('PostgreSQL is not installed');
      await sessions.createSession(session('d1', 'dora'));
      await sessions.createSession(session('d2', 'dora'));
      await sessions.createSession(session('d3', 'dora'));
      assert.equal(await sessions.deleteSession('d1'), true);
      assert.equal(await sessions.deleteSession('d1'), false);
      assert.equal(await sessions.deleteUserSessions('dora'), 2);
      assert.equal(await sessions.touchSession('d2', T0, MIN), undefined);
    });

    it('gives a login back once, and never when expired', async (t) => {
      if (!target) return t.skip('PostgreSQL is not installed');
      const login = { stateHash: 'l1', verifier: 'verifier-1', nonce: 'nonce-1', returnTo: '/console/status', expiresAt: T0 + 10 * MIN };
      await sessions.saveLogin(login);
      await assert.rejects(sessions.saveLogin(login), (e: unknown) => e instanceof StoreError && e.code === 'CONFLICT');
      assert.deepEqual(await sessions.takeLogin('l1', T0), login);
      assert.equal(await sessions.takeLogin('l1', T0), undefined);
      await sessions.saveLogin({ ...login, stateHash: 'l2' });
      assert.equal(await sessions.takeLogin('l2', T0 + 10 * MIN), undefined);
      assert.equal(await sessions.takeLogin('l2', T0), undefined);
    });
  });
}
