/** Fresh PostgreSQL databases for tests, on the cluster scripts/run-tests.mjs started. */
import postgres from 'postgres';
import { randomBytes } from 'node:crypto';

/** The server URL, or undefined when PostgreSQL is not installed here. */
export function postgresServerUrl(): string | undefined {
  return process.env.ENCLAVE_TEST_POSTGRES_URL || undefined;
}

/** Creates an empty database and returns its URL and a function that drops it. */
export async function createTestDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `enclave_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}
