/** Opens a store from its configured URL: `sqlite:PATH` or `postgres://...`. */
import { resolve } from 'node:path';
import { StoreError } from './errors.ts';
import { openPostgresStore } from './postgres.ts';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite.ts';
import type { Store } from './types.ts';

/**
 * Opens the store named by `url`, running migrations. Relative SQLite paths resolve against
 * `baseDir` (the process's working directory by default); the SQLite options apply to SQLite only.
 * @example await openStore('sqlite:./data/enclave.db')
 */
export async function openStore(url: string, options: SqliteStoreOptions & { baseDir?: string } = {}): Promise<Store> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (!path) throw new StoreError('BAD_URL', 'sqlite: URL needs a path, e.g. sqlite:./data/enclave.db');
    return openSqliteStore(path === ':memory:' ? path : resolve(options.baseDir ?? process.cwd(), path), options);
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgresStore(url);
  throw new StoreError('BAD_URL', `unsupported store URL "${url.replace(/\/\/[^@/]*@/, '//***@')}": use sqlite:PATH or postgres://`);
}
