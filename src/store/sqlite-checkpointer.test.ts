/**
 * The WAL checkpoint thread: with it, commits no longer checkpoint (wal_autocheckpoint = 0 on the
 * gateway's connections), yet the WAL's pages still reach the database file, by the thread; and
 * closing the store stops the thread and switches automatic checkpoints back on.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createSqliteAuditStore } from './audit-sqlite.ts';
import { openSqliteStore } from './sqlite.ts';
import { SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES } from './sqlite-checkpointer.ts';

/** Polls `check` until it holds (the thread runs on its own schedule); fails after `ms`. */
async function eventually(check: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) assert.fail('condition not reached');
    await delay(25);
  }
}

describe('SQLite WAL checkpoint thread', () => {
  it('moves committed pages into the database file while commits themselves do not checkpoint', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'enclave-wal-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'enclave.db');
    const errors: string[] = [];
    const store = openSqliteStore(path, { walCheckpointer: true, onError: (m) => errors.push(m) });
    try {
      assert.equal(store.db.pragma('wal_autocheckpoint', { simple: true }), 0, 'commits on this connection never checkpoint');
      const before = statSync(path).size;
      // About 4 MB of rows: far past SQLite's 1000-page automatic threshold.
      store.db.exec('CREATE TABLE filler (x BLOB)');
      const insert = store.db.prepare('INSERT INTO filler VALUES (randomblob(4096))');
      for (let i = 0; i < 1000; i++) insert.run();
      await eventually(() => statSync(path).size > before + 3_000_000);
      assert.deepEqual(errors, []);
    } finally {
      await store.close();
    }
  });

  it('the audit writer takes the setting from the store and appends as before', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'enclave-wal-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const store = openSqliteStore(join(dir, 'enclave.db'), { walCheckpointer: true });
    const audit = createSqliteAuditStore(store.db);
    try {
      const leaf = new Uint8Array(32).fill(7);
      for (let n = 0; n < 20; n++) {
        await audit.append((h) => [{ index: h.size, data: `{"n":${n}}`, leafHash: leaf, time: new Date(0).toISOString(), kind: 'request', actor: 'a', decision: null }]);
      }
      assert.equal((await audit.head()).size, 20);
    } finally {
      await audit.close();
      await store.close();
    }
  });

  it('closing the store stops the thread and turns automatic checkpoints back on', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'enclave-wal-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const store = openSqliteStore(join(dir, 'enclave.db'), { walCheckpointer: true });
    const { db } = store;
    const pragma = db.pragma.bind(db);
    let restored: unknown;
    // Observe the last pragma before the handle closes.
    db.pragma = ((source: string, options?: { simple?: boolean }) => {
      if (source.startsWith('wal_autocheckpoint =')) restored = source;
      return pragma(source, options);
    }) as typeof db.pragma;
    await store.close();
    assert.equal(restored, `wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES}`);
    assert.equal(db.open, false);
  });

  it('is not started by default (CLI commands open the store briefly)', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'enclave-wal-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const store = openSqliteStore(join(dir, 'enclave.db'));
    try {
      assert.equal(store.db.pragma('wal_autocheckpoint', { simple: true }), SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES);
    } finally {
      await store.close();
    }
  });
});
