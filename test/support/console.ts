/**
 * A real gateway with the web console for tests, started the way `enclave serve` starts one
 * (startGateway from src/server/start.ts, from a configuration): SQLite store, policy engine,
 * models, the Merkle audit log, retrieval over an ingested corpus, approvals, and the console,
 * on a free loopback port, signing in against a real OpenID provider named in its `oidc:` section.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { enrollTotp, loadSecretSealer, type ApprovalService, type ToolConfig } from '../../src/approvals/index.ts';
import type { AuditLog } from '../../src/audit/index.ts';
import type { GatewayDeps } from '../../src/gateway/index.ts';
import { toPrincipal, type Principal } from '../../src/identity/index.ts';
import { parseConfig, startGateway } from '../../src/server/index.ts';
import { OIDC_AUDIENCE, OIDC_CLIENT_ID, startOidcProvider, type OidcTestUser, type TestOidcProvider } from './oidc.ts';

/** The provider's users: one per role the console tests need. */
export const CONSOLE_USERS: OidcTestUser[] = [
  { id: 'ana', name: 'Ana Analyst', clearance: 'TOP SECRET//SI/TK', nationality: 'USA', roles: ['analyst'] },
  { id: 'uma', name: 'Uma Unclassified', clearance: 'UNCLASSIFIED', nationality: 'USA', roles: ['analyst'] },
  { id: 'olga', name: 'Olga Operator', clearance: 'SECRET', nationality: 'USA', roles: ['analyst', 'operator'] },
  { id: 'carol', name: 'Carol Commander', clearance: 'SECRET', nationality: 'USA', roles: ['commander'] },
  { id: 'dave', name: 'Dave Commander', clearance: 'SECRET', nationality: 'USA', roles: ['commander'] },
  { id: 'audrey', name: 'Audrey Auditor', clearance: 'SECRET', nationality: 'USA', roles: ['auditor'] },
  { id: 'adam', name: 'Adam Admin', clearance: 'TOP SECRET//SI/TK', nationality: 'USA', roles: ['analyst', 'admin'] },
  { id: 'noclear', name: 'No Clearance', nationality: 'USA', roles: ['analyst'] },
];

/** A title that must never reach an UNCLASSIFIED reader, in the page or on the wire. */
export const SECRET_TITLE = 'Operation NIGHTJAR harbour resupply annex';

const CORPUS: Record<string, string> = {
  'harbour-bulletin.md': `---
id: harbour-bulletin
title: Harbour logistics bulletin
---
UNCLASSIFIED

(U) The harbour fuel depot received two tankers this week and the harbour cranes are back in service.

(U) Harbour road closures end on Friday; convoys resume on the coastal route.

UNCLASSIFIED
`,
  'nightjar-annex.md': `---
id: nightjar-annex
title: ${SECRET_TITLE}
---
SECRET

(S) The harbour fuel depot is the main supply point for Operation NIGHTJAR and holds twelve days of diesel. CANARY-NIGHTJAR-41

(S) The harbour cranes at the northern breakwater need new motors before the March resupply. CANARY-NIGHTJAR-42

SECRET
`,
};

const INBOX_DOCUMENT = `---
id: weather-outlook
title: Coastal weather outlook
---
UNCLASSIFIED

(U) Gales are expected along the coast on Thursday; harbour operations may pause.

UNCLASSIFIED
`;

const POLICIES = `
@id("test.operator_tools")
@reason("operators may call registered tools")
permit (principal, action == Action::"call_tool", resource is Tool)
when { principal.roles.contains("operator") };
`;

export interface ConsoleGateway {
  readonly url: string;
  /** The gateway's own configuration (as enclave.yaml would hold it). */
  readonly config: ReturnType<typeof parseConfig>;
  readonly idp: TestOidcProvider;
  readonly deps: GatewayDeps;
  readonly approvals: ApprovalService;
  readonly audit: AuditLog;
  readonly dataDir: string;
  /** A folder under the console's ingest root holding one more (UNCLASSIFIED) document. */
  readonly inboxDir: string;
  /** The principal of a provider user, as the API would see it (for requests made outside the browser). */
  principalOf(userId: string): Promise<Principal>;
  /** Enrols a user for TOTP and returns the base32 secret. */
  enrollTotp(userId: string): Promise<string>;
  close(): Promise<void>;
}

export interface ConsoleGatewayOptions {
  tools?: ToolConfig[];
  /** Secure cookies and HSTS whatever the transport, as when Enclave terminates TLS. */
  tls?: boolean;
  /** server.trust_proxy: X-Forwarded-Proto decides whether a request came over HTTPS. */
  trustProxy?: boolean;
  /** The console's clock, for session limits. */
  now?: () => number;
}

/** Starts the provider, then the gateway from a configuration (its callback needs the gateway's port), then configures the provider. */
export async function startConsoleGateway(options: ConsoleGatewayOptions = {}): Promise<ConsoleGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'enclave-console-'));
  const idp = await startOidcProvider(CONSOLE_USERS);
  const corpusDir = join(dataDir, 'corpus');
  mkdirSync(corpusDir);
  for (const [name, text] of Object.entries(CORPUS)) writeFileSync(join(corpusDir, name), text);
  const inboxDir = join(dataDir, 'inbox', 'new');
  mkdirSync(inboxDir, { recursive: true });
  writeFileSync(join(inboxDir, 'weather-outlook.md'), INBOX_DOCUMENT);
  const policyDir = join(dataDir, 'policies');
  mkdirSync(policyDir);
  writeFileSync(join(policyDir, 'test.cedar'), POLICIES);

  // Users exist in the store before their first sign-in, as a directory sync would leave them: TOTP enrolment needs the record.
  const users = CONSOLE_USERS.filter((u) => u.clearance !== undefined)
    .map((u) => ({ id: u.id, name: u.name, clearance: u.clearance!, nationality: u.nationality!, roles: [...(u.roles ?? [])] }));
  // YAML is a superset of JSON: the configuration as enclave.yaml would hold it.
  const config = parseConfig(JSON.stringify({
    server: { host: '127.0.0.1', port: 0, trust_proxy: options.trustProxy ?? false },
    data_dir: dataDir, policy_dir: policyDir, logging: { level: 'silent' },
    models: [{ id: 'analyst', backend: 'extractive', accredited: 'TOP SECRET//SI/TK//NOFORN', retrieval: true, retries: 0, first_byte_timeout_ms: 5000, idle_timeout_ms: 5000 }],
    users, corpus: { ingest_on_start: [corpusDir] }, tools: options.tools ?? [], approvals: { sweep_ms: 60_000 },
    audit: { origin: 'enclave.test.invalid/console', checkpoint_interval_ms: 100 },
    oidc: { issuer: idp.issuer, client_id: OIDC_CLIENT_ID, audience: OIDC_AUDIENCE, mfa_without_amr: true, session: { idle_minutes: 30, absolute_hours: 8 } },
    console: { chart_interval_seconds: 1, ingest_roots: [join(dataDir, 'inbox')] },
  }), 'console-test.yaml', {});
  const env = {};
  let gateway;
  try {
    gateway = await startGateway(config, {
      logger: pino({ level: 'silent' }), env, print: () => {}, keyKdf: { N: 2 ** 10, r: 8, p: 1 },
      console: { ...(options.tls ? { tls: true } : {}), ...(options.now ? { now: options.now } : {}) },
    });
  } catch (err) {
    await idp.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  await idp.configure([`${gateway.url}/console/auth/callback`]);
  const store = gateway.deps.store;
  // The same sealer start.ts loads (same data dir, same environment), for TOTP enrolment.
  const sealer = loadSecretSealer({ dataDir, env });
  return {
    url: gateway.url, config, idp, deps: gateway.deps, approvals: gateway.approvals, audit: gateway.audit, dataDir, inboxDir,
    async principalOf(userId) {
      const user = await store.identities.getUser(userId);
      if (!user) throw new Error(`no user ${userId}`);
      return toPrincipal(user, { method: 'api_key', keyId: 'test' });
    },
    async enrollTotp(userId) {
      const { uri } = await enrollTotp({ store: store.approvals, identities: store.identities, sealer }, userId, { issuer: 'Enclave', replace: true });
      return new URL(uri).searchParams.get('secret')!;
    },
    async close() {
      await gateway.close();
      await idp.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
