/** The content store contract: one suite, run against SQLite and against a real PostgreSQL. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openStore, StoreError, type Store } from './index.ts';
import type { ContentRecord, ContentStore } from './content-types.ts';
import { STORE_TARGETS } from '../../test/support/stores.ts';

const T0 = 1_800_000_000_000;
const DAY = 86_400_000;

function record(id: string, createdAt = T0, over: Partial<ContentRecord> = {}): ContentRecord {
  // Every byte value, so a store that treats the blob as text (or trims it) is caught.
  const sealed = Uint8Array.from({ length: 300 }, (_, i) => (i * 7 + id.length) & 0xff);
  return { id, label: 'SECRET//NOFORN', createdAt, sealed, ...over };
}

for (const impl of STORE_TARGETS) {
  describe(`content store contract: ${impl.name}`, () => {
    let store: Store;
    let content: ContentStore;
    let target: { url: string; cleanup(): Promise<void> } | undefined;

    before(async () => {
      target = await impl.open();
      if (!target) return;
      store = await openStore(target.url);
      content = store.content;
    });
    after(async () => {
      await store?.close();
      await target?.cleanup();
    });

    it('gives a record back byte for byte, and nothing for an unknown id', async (t) => {
      if (!target) return t.skip('PostgreSQL is not installed');
      const r = record('c-1', T0, { label: 'TOP SECRET//SI/TK//NOFORN' });
      await content.put(r);
      const got = await content.get('c-1');
      assert.ok(got);
      assert.equal(got.id, 'c-1');
      assert.equal(got.label, 'TOP SECRET//SI/TK//NOFORN');
      assert.equal(got.createdAt, T0);
      assert.ok(got.sealed instanceof Uint8Array);
      assert.deepEqual(Array.from(got.sealed), Array.from(r.sealed));
      assert.equal(await content.get('c-unknown'), undefined);
    });

    it('writes a record once: a second put with the same id is a CONFLICT and changes nothing', async (t) => {
      if (!target) return t.skip('PostgreSQL is not installed');
      await content.put(record('c-dup'));
      await assert.rejects(content.put(record('c-dup', T0 + 1, { label: 'UNCLASSIFIED', sealed: Uint8Array.of(1, 2, 3) })),
        (e: unknown) => e instanceof StoreError && e.code === 'CONFLICT');
      const got = await content.get('c-dup');
      assert.equal(got?.label, 'SECRET//NOFORN');
      assert.equal(got?.sealed.length, 300);
    });

    it('keeps an empty blob and a label with any characters as given', async (t) => {
      if (!target) return t.skip('PostgreSQL is not installed');
      await content.put(record('c-odd', T0, { label: 'SECRET//REL TO USA, GBR', sealed: new Uint8Array(0) }));
      const got = await content.get('c-odd');
      assert.equal(got?.label, 'SECRET//REL TO USA, GBR');
      assert.equal(got?.sealed.length, 0);
    });

    it('deletes only records created strictly before the cut-off, and says how many', async (t) => {
      if (!target) return t.skip('PostgreSQL is not installed');
      const base = T0 + 1_000 * DAY;
      await content.put(record('p-old-1', base - 91 * DAY));
      await content.put(record('p-old-2', base - 90 * DAY - 1));
      await content.put(record('p-edge', base - 90 * DAY));
      await content.put(record('p-new', base));
      // The three records of the earlier tests (at T0) are older still and go too.
      assert.equal(await content.deleteOlderThan(base - 90 * DAY), 5);
      assert.equal(await content.get('c-1'), undefined);
      assert.equal(await content.get('p-old-1'), undefined);
      assert.equal(await content.get('p-old-2'), undefined);
      assert.ok(await content.get('p-edge'), 'a record exactly at the cut-off stays');
      assert.ok(await content.get('p-new'));
      assert.equal(await content.deleteOlderThan(base - 90 * DAY), 0, 'a second purge finds nothing');
    });
  });
}
