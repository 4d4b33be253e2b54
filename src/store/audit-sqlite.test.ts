/**
 * The SQLite audit writer's optimistic append: a batch is numbered from the head the gateway read
 * and written only if that is still the head inside the write transaction. Here another process's
 * commit is forced into the gap between the read and the write (from inside `build`, on a third
 * connection) to prove the batch is renumbered instead of overwriting or leaving a gap.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteAuditStore } from './audit-sqlite.ts';
import { openSqliteStore } from './sqlite.ts';
import type { AuditEntryRecord, AuditHeadRecord } from './audit-types.ts';

const leaf = (data: string) => new Uint8Array(createHash('sha256').update(data).digest());

function entry(index: number, who: string): AuditEntryRecord {
  const data = `{"seq":${index},"by":"${who}"}`;
  return { index, data, leafHash: leaf(data), time: new Date(Date.UTC(2026, 0, 1)).toISOString(), kind: 'request', actor: who, decision: null };
}

describe('SQLite audit store: another process commits between head read and write', () => {
  const dir = mkdtempSync(join(tmpdir(), 'enclave-audit-race-'));
  const path = join(dir, 'enclave.db');
  const store = openSqliteStore(path);
  const audit = createSqliteAuditStore(store.db);
  // Stands in for a second process (a CLI command appending a decrypt entry, say).
  const other = new Database(path);
  other.pragma('busy_timeout = 5000');
  const otherAppend = other.transaction(() => {
    const h = other.prepare<[], { size: number }>('SELECT size FROM audit_head WHERE id = 1').get()!;
    const e = entry(h.size, 'other');
    other.prepare('INSERT INTO audit_entries (idx, data, leaf_hash, time, kind, actor, decision) VALUES (?, ?, ?, ?, ?, ?, ?)').run(e.index, e.data, Buffer.from(e.leafHash), e.time, e.kind, e.actor, e.decision);
    other.prepare('UPDATE audit_head SET size = ?, last_leaf_hash = ? WHERE id = 1').run(h.size + 1, Buffer.from(e.leafHash));
  });

  after(async () => {
    other.close();
    await audit.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function appendInterfered(interferences: number, count: number) {
    const seen: AuditHeadRecord[] = [];
    const head = await audit.append((h) => {
      seen.push(h);
      if (seen.length <= interferences) otherAppend.immediate();
      return Array.from({ length: count }, (_, i) => entry(h.size + i, 'gateway'));
    });
    return { head, seen };
  }

  async function assertContiguous() {
    const { size } = await audit.head();
    const indexes: number[] = [];
    for await (const page of audit.readEntries(0, size)) indexes.push(...page.map((e) => e.index));
    assert.deepEqual(indexes, Array.from({ length: size }, (_, i) => i));
    for await (const page of audit.readEntries(0, size)) for (const e of page) assert.match(e.data, new RegExp(`"seq":${e.index},`), 'each entry was written at the index it was numbered for');
  }

  it('renumbers the batch from the new head after one lost race', async () => {
    const { head, seen } = await appendInterfered(1, 3);
    assert.equal(seen.length, 2, 'built twice: once on the stale head, once on the actual one');
    assert.equal(seen[1]!.size, seen[0]!.size + 1);
    assert.equal(head.size, seen[1]!.size, 'the returned head is the one the batch continued');
    assert.equal((await audit.head()).size, head.size + 3);
    await assertContiguous();
  });

  it('falls back to holding the write lock when it keeps losing', async () => {
    const before = (await audit.head()).size;
    const { head, seen } = await appendInterfered(2, 4);
    assert.equal(seen.length, 3);
    assert.equal(head.size, before + 2, 'two foreign entries went in first');
    assert.equal((await audit.head()).size, before + 6);
    const actors: string[] = [];
    for await (const page of audit.readEntries(before, before + 6)) actors.push(...page.map((e) => e.actor));
    assert.deepEqual(actors, ['other', 'other', 'gateway', 'gateway', 'gateway', 'gateway']);
    await assertContiguous();
  });

  it('keeps the chain: the head after a race names the last entry actually written', async () => {
    await appendInterfered(1, 1);
    const { size, lastLeafHash } = await audit.head();
    let last: AuditEntryRecord | undefined;
    for await (const page of audit.readEntries(size - 1, size)) last = page[0];
    assert.deepEqual(lastLeafHash, last?.leafHash);
  });
});
