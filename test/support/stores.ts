/** The store implementations every contract suite (`*.case.test.ts`) runs against. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, postgresServerUrl } from './postgres.ts';

export interface StoreTarget {
  name: string;
  /** A fresh, empty store's URL and its clean-up; undefined when the backend is not installed here. */
  open(): Promise<{ url: string; cleanup(): Promise<void> } | undefined>;
}

export const SQLITE_FILE: StoreTarget = {
  name: 'sqlite',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'enclave-store-'));
    return { url: `sqlite:${join(dir, 'enclave.db')}`, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  },
};

export const SQLITE_MEMORY: StoreTarget = {
  name: 'sqlite in memory',
  async open() {
    return { url: 'sqlite::memory:', cleanup: async () => {} };
  },
};

export const POSTGRES: StoreTarget = {
  name: 'postgres',
  async open() {
    const server = postgresServerUrl();
    if (!server) return undefined;
    const db = await createTestDatabase(server);
    return { url: db.url, cleanup: db.drop };
  },
};

/** SQLite on disk and a real PostgreSQL: the two deployments. */
export const STORE_TARGETS: readonly StoreTarget[] = [SQLITE_FILE, POSTGRES];
