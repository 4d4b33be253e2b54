/** Starts a real gateway (real store, real HTTP) on a free loopback port for a test. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createApiKey } from '../../src/identity/index.ts';
import { parseConfig, startGateway, type RunningGateway } from '../../src/server/index.ts';

export interface TestGateway {
  readonly url: string;
  readonly gateway: RunningGateway;
  /** One fresh API key per configured user id. */
  readonly keys: Record<string, string>;
  readonly dataDir: string;
  close(): Promise<void>;
}

export const TEST_USERS = `
users:
  - { id: alice, name: Alice Analyst, clearance: "TOP SECRET//SI/TK", nationality: USA, roles: [analyst] }
  - { id: bob, name: Bob Builder, clearance: "SECRET//NOFORN", nationality: USA, roles: [engineer] }
`;

/** `yaml` is the models (and any other) part of a config; users default to TEST_USERS. */
export async function startTestGateway(yaml: string, options: { store?: string; logs?: string[] } = {}): Promise<TestGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'enclave-gw-'));
  const server = /^server:/m.test(yaml) ? '' : 'server: { host: 127.0.0.1, port: 0 }\n';
  const text = `${server}data_dir: ${dataDir}\n${options.store ? `store: ${options.store}\n` : ''}${yaml}${yaml.includes('users:') ? '' : TEST_USERS}`;
  const config = parseConfig(text, 'test.yaml', process.env);
  const lines = options.logs;
  const logger = pino({ level: lines ? 'debug' : 'silent' }, { write: (l: string) => { lines?.push(l); } });
  // A low scrypt cost for the audit key ring: each test gateway seals a fresh one.
  const gateway = await startGateway(config, { logger, print: () => {}, keyKdf: { N: 2 ** 10, r: 8, p: 1 } });
  const keys: Record<string, string> = {};
  for (const u of config.users) keys[u.id] = (await createApiKey(gateway.deps.store.identities, u.id, 'test')).key;
  return {
    url: gateway.url, gateway, keys, dataDir,
    async close() {
      await gateway.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
