/** The audit store contract: one suite, run against SQLite and against a real PostgreSQL. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type postgres from 'postgres';
import { openStore, StoreError, type Store } from './index.ts';
import { createSqliteAuditStore } from './audit-sqlite.ts';
import { createPostgresAuditStore } from './audit-postgres.ts';
import type { AuditEntryRecord, AuditEntryStore, AuditHeadRecord } from './audit-types.ts';
import { POSTGRES, SQLITE_FILE, SQLITE_MEMORY } from '../../test/support/stores.ts';

// Stand-in leaf hash: the store treats it as opaque bytes (the audit part computes the real one).
const fakeLeaf = (data: string) => new Uint8Array(createHash('sha256').update(data).digest());

function builder(count: number, over: (i: number) => Partial<AuditEntryRecord> = () => ({})) {
  const seen: AuditHeadRecord[] = [];
  const build = (h: AuditHeadRecord): AuditEntryRecord[] => {
    seen.push(h);
    return Array.from({ length: count }, (_, i) => {
      const index = h.size + i;
      // Not canonical JSON on purpose: the store must keep every byte, escapes and all.
      const data = `{"seq":${index}, "s":"\\u00e9 é 🔒\\n"}`;
      return { index, data, leafHash: fakeLeaf(data), time: new Date(Date.UTC(2025, 0, 1, 0, 0, index)).toISOString(), kind: index % 2 ? 'request' : 'decision', actor: `user-${index % 3}`, decision: index % 4 === 0 ? 'deny' : null, ...over(index) };
    });
  };
  return { build, seen };
}

async function collect<T>(it: AsyncIterable<readonly T[] | Uint8Array>): Promise<T[][]> {
  const pages: T[][] = [];
  for await (const p of it) pages.push([...(p as readonly T[])]);
  return pages;
}

function auditOf(store: Store): AuditEntryStore {
  if (store.kind === 'sqlite') return createSqliteAuditStore((store as Store & { db: Database.Database }).db);
  return createPostgresAuditStore((store as Store & { sql: postgres.Sql }).sql);
}

const implementations = [SQLITE_FILE, SQLITE_MEMORY, POSTGRES];

for (const impl of implementations) {
  describe(`audit store contract: ${impl.name}`, () => {
    let store: Store;
    let audit: AuditEntryStore;
    let target: { url: string; cleanup(): Promise<void> } | undefined;

    before(async () => {
      target = await impl.open();
      if (!target) return;
      store = await openStore(target.url);
      audit = auditOf(store);
    });
    after(async () => {
      await (audit as { close?: () => Promise<void> } | undefined)?.close?.();
      await store?.close();
      await target?.cleanup();
    });

    it('starts empty, numbers each batch from the head it read, and keeps data byte for byte', async (t) => {
      if (!target) return t.skip('PostgreSQL is not installed');
      assert.deepEqual(await audit.head(), { size: 0, lastLeafHash: null });
      const a = builder(3);
      assert.deepEqual(await audit.append(a.build), { size: 0, lastLeafHash: null });
      const b = builder(2);
      const seenByB = await audit.append(b.build);
      assert.equal(seenByB.size, 3);
      const entries = (await collect<AuditEntryRecord>(audit.readEntries(0, 5))).flat();
      assert.deepEqual(entries.map((e) => e.index), [0, 1, 2, 3, 4]);
      assert.equal(entries[4]!.data, '{"seq":4, "s":"\\u00e9 é 🔒\\n"}');
      assert.deepEqual([...entries[2]!.leafHash], [...fakeLeaf(entries[2]!.data)]);
      assert.deepEqual([...seenByB.lastLeafHash!], [...entries[2]!.leafHash]);
      const head = await audit.head();
      assert.equal(head.size, 5);
      assert.deepEqual([...head.lastLeafHash!], [...entries[4]!.leafHash]);
    });

    it('rejects, writing nothing, a batch that skips or repeats an index', async (t) => {
      if (!target) return t.skip('PostgreSQL is not installed');
      const before = await audit.head();
      const repeat = (h: AuditHeadRecord) => builder(2).build({ ...h, size: h.size - 1 });
      await assert.rejects(audit.append(repeat), (e: unknown) => e instanceof StoreError && e.code === 'CONFLICT');
      const gap = (h: AuditHeadRecord) => builder(2).build({ ...h, size: h.size + 1 });
      await assert.rejects(audit.append(gap), (e: unknown) => e instanceof StoreError && e.code === 'CONFLICT');
      assert.deepEqual(await audit.head(), before);
    });

    it('serialises concurrent appends without gaps or duplicates', async (t) => {
      if (!target) return t.skip('PostgreSQL is not installed');
      const start = (await audit.head()).size;
      const heads = await Promise.all(Array.from({ length: 12 }, () => audit.append(builder(5).build)));
      assert.deepEqual(heads.map((h) => h.size).sort((x, y) => x - y), Array.from({ length: 12 }, (_, i) => start + i * 5));
      const indexes = (await collect<AuditEntryRecord>(audit.readEntries(0, start + 60))).flat().map((e) => e.index);
      assert.deepEqual(indexes, Array.from({ length: start + 60 }, (_, i) => i));
    });

    it('reads entries and leaf hashes in pages across page boundaries', async (t) => {
      if (!target) return t.skip('PostgreSQL is not installed');
      const start = (await audit.head()).size;
      await audit.append(builder(1200).build);
      const size = start + 1200;
      const pages = await collect<AuditEntryRecord>(audit.readEntries(3, size));
      assert.ok(pages.length >= 3);
      assert.deepEqual(pages.flat().map((e) => e.index), Array.from({ length: size - 3 }, (_, i) => i + 3));
      const hashes: Uint8Array[] = [];
      for await (const page of audit.readLeafHashes(1, size - 1)) hashes.push(page);
      const all = Buffer.concat(hashes);
      assert.equal(all.length, (size - 2) * 32);
      const entry = pages.flat().find((e) => e.index === 700)!;
      assert.deepEqual([...all.subarray(699 * 32, 700 * 32)], [...entry.leafHash]);
      assert.deepEqual(await collect(audit.readEntries(size, size + 10)), []);
    });

    it('searches by actor, decision, kind and time, in index order, with a limit', async (t) => {
      if (!target) return t.skip('PostgreSQL is not installed');
      const start = (await audit.head()).size;
      await audit.append(builder(30, (i) => ({ actor: i % 2 ? 'carol' : 'dave', kind: 'approval', decision: i % 3 === 0 ? 'approve' : 'reject', time: `2030-01-01T00:00:${String(i - start).padStart(2, '0')}.000Z` })).build);
      const carol = (await collect<AuditEntryRecord>(audit.searchEntries({ actor: 'carol' }))).flat();
      assert.ok(carol.length > 0 && carol.every((e) => e.actor === 'carol'));
      assert.deepEqual(carol.map((e) => e.index), [...carol.map((e) => e.index)].sort((a, b) => a - b));
      const both = (await collect<AuditEntryRecord>(audit.searchEntries({ actor: 'carol', decision: 'approve', kind: 'approval' }))).flat();
      assert.deepEqual(both.map((e) => e.index), carol.filter((e) => e.decision === 'approve').map((e) => e.index));
      const window = (await collect<AuditEntryRecord>(audit.searchEntries({ kind: 'approval', since: '2030-01-01T00:00:10.000Z', until: '2030-01-01T00:00:19.000Z' }))).flat();
      assert.deepEqual(window.map((e) => e.index), Array.from({ length: 10 }, (_, i) => start + 10 + i));
      const limited = (await collect<AuditEntryRecord>(audit.searchEntries({ kind: 'approval', limit: 4 }))).flat();
      assert.deepEqual(limited.map((e) => e.index), [start, start + 1, start + 2, start + 3]);
      assert.deepEqual(await collect(audit.searchEntries({ kind: 'approval', limit: 0 })), []);
      assert.deepEqual(await collect(audit.searchEntries({ actor: 'nobody' })), []);
      const many = await collect<AuditEntryRecord>(audit.searchEntries({}));
      assert.equal(many.flat().length, start + 30);
    });

    it('stores checkpoints only when larger than every stored one and within the head', async (t) => {
      if (!target) return t.skip('PostgreSQL is not installed');
      assert.equal(await audit.latestCheckpoint(), null);
      const size = (await audit.head()).size;
      const cp = (n: number, hashLength = 32) => ({
        size: n, rootHash: new Uint8Array(hashLength).fill(n % 251), note: `origin\n${n}\nroot\n\n— sig\n`,
        frontier: [new Uint8Array(hashLength).fill(1), new Uint8Array(hashLength).fill(2)], createdAt: '2030-01-01T00:00:00.000Z',
      });
      assert.equal(await audit.addCheckpoint(cp(size + 1)), false, 'beyond the head');
      assert.equal(await audit.addCheckpoint(cp(10)), true);
      assert.equal(await audit.addCheckpoint(cp(10)), false, 'equal size');
      assert.equal(await audit.addCheckpoint(cp(5)), false, 'smaller size');
      assert.equal(await audit.addCheckpoint(cp(size, 48)), true);
      const latest = await audit.latestCheckpoint();
      assert.equal(latest?.size, size);
      assert.equal(latest?.note, cp(size).note);
      assert.deepEqual(latest?.frontier.map((f) => [...f]), cp(size, 48).frontier.map((f) => [...f]));
      const sizes = (await collect<{ size: number }>(audit.listCheckpoints())).flat().map((c) => c.size);
      assert.deepEqual(sizes, [10, size]);
      const raced = await Promise.all([audit.addCheckpoint(cp(size)), audit.addCheckpoint(cp(size))]);
      assert.deepEqual(raced, [false, false]);
    });

    it('refuses to change or delete a stored entry', async (t) => {
      if (!target) return t.skip('PostgreSQL is not installed');
      if (store.kind === 'sqlite') {
        const db = (store as Store & { db: Database.Database }).db;
        assert.throws(() => db.prepare("UPDATE audit_entries SET data = 'x' WHERE idx = 0").run(), /append-only/);
        assert.throws(() => db.prepare('DELETE FROM audit_entries WHERE idx = 0').run(), /append-only/);
      } else {
        const sql = (store as Store & { sql: postgres.Sql }).sql;
        await assert.rejects(sql`UPDATE audit_entries SET data = 'x' WHERE idx = 0`, /append-only/);
        await assert.rejects(sql`DELETE FROM audit_checkpoints`, /append-only/);
      }
      const [first] = (await collect<AuditEntryRecord>(audit.readEntries(0, 1))).flat();
      assert.equal(first?.data, '{"seq":0, "s":"\\u00e9 é 🔒\\n"}');
    });
  });
}
