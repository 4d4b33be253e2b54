/**
 * A real gateway with the web console for tests: what start.ts does (SQLite store, policy
 * engine, models, the Merkle audit log as recorder, retrieval over an ingested corpus, approvals)
 * plus registerConsole, on a free loopback port, signing in against a real OpenID provider.
 */
import { loadGuards } from '../../src/guards/index.ts';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import {
  approvalsConfigSchema, createApprovalService, createToolRegistry, enrollTotp, loadReceiptSigner, loadSecretSealer,
  type ApprovalService, type ToolConfig,
} from '../../src/approvals/index.ts';
import { AuditLog, checkpointKeysFromRing, createAuditRecorder } from '../../src/audit/index.ts';
import { consoleConfigSchema, registerConsole } from '../../src/console/index.ts';
import { createKeyRing } from '../../src/crypto/index.ts';
import { createDecisionCache, createMetrics, type GatewayDeps } from '../../src/gateway/index.ts';
import { bootstrapUsers, toPrincipal, type BootstrapUser, type Principal } from '../../src/identity/index.ts';
import { createOidcVerifier, oidcConfigSchema } from '../../src/identity/oidc.ts';
import { createModelRegistry } from '../../src/inference/index.ts';
import { createPolicyEngine } from '../../src/policy/index.ts';
import { createRetriever, createSqliteCorpusStore, ingestPaths } from '../../src/retrieval/index.ts';
import { buildApp } from '../../src/server/index.ts';
import { createSqliteApprovalStore } from '../../src/store/approvals-sqlite.ts';
import { createSqliteAuditStore } from '../../src/store/audit-sqlite.ts';
import { openSqliteStore } from '../../src/store/index.ts';
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

/** Starts the provider, then the gateway (whose port the provider's client must name), then configures the provider. */
export async function startConsoleGateway(options: { tools?: ToolConfig[]; tls?: boolean; now?: () => number } = {}): Promise<ConsoleGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'enclave-console-'));
  const idp = await startOidcProvider(CONSOLE_USERS);
  const store = openSqliteStore(join(dataDir, 'enclave.db'));
  const logger = pino({ level: 'silent' });

  const corpusDir = join(dataDir, 'corpus');
  mkdirSync(corpusDir);
  for (const [name, text] of Object.entries(CORPUS)) writeFileSync(join(corpusDir, name), text);
  const inboxDir = join(dataDir, 'inbox', 'new');
  mkdirSync(inboxDir, { recursive: true });
  writeFileSync(join(inboxDir, 'weather-outlook.md'), INBOX_DOCUMENT);
  const corpus = createSqliteCorpusStore(store.db);
  await ingestPaths(corpus, [corpusDir]);

  const origin = 'enclave.test.invalid/console';
  const audit = await AuditLog.open({ store: createSqliteAuditStore(store.db), origin, keys: checkpointKeysFromRing(origin, createKeyRing(new Date())), checkpointIntervalMs: 100 });
  const recorder = createAuditRecorder(audit);
  const policy = await createPolicyEngine({ policies: POLICIES });
  const decisions = createDecisionCache(policy);
  const models = await createModelRegistry([{
    id: 'analyst', backend: 'extractive', accredited: 'TOP SECRET//SI/TK//NOFORN', retrieval: true, retries: 0,
    connect_timeout_ms: 1000, first_byte_timeout_ms: 5000, idle_timeout_ms: 5000, context_size: 4096, max_concurrency: 2, chat_wrapper: 'auto',
  }], {});
  const deps: GatewayDeps = {
    store, policy, decisions, models, logger, metrics: createMetrics(), recorder, retriever: createRetriever(corpus), guards: loadGuards(),
    limits: { maxMessages: 64 }, banner: 'inline',
  };
  // Users exist in the store before their first sign-in, as a directory sync would leave them: TOTP enrolment needs the record.
  const known: BootstrapUser[] = CONSOLE_USERS.filter((u) => u.clearance !== undefined)
    .map((u) => ({ id: u.id, name: u.name, clearance: u.clearance!, nationality: u.nationality!, roles: u.roles ?? [] }));
  await bootstrapUsers(store.identities, known);
  const approvalStore = createSqliteApprovalStore(store.db);
  const sealer = loadSecretSealer({ dataDir, env: {} });
  const approvals = createApprovalService({
    store: approvalStore, identities: store.identities, logger, recorder, decide: (r) => decisions.decide(r),
    tools: createToolRegistry(options.tools ?? []), signer: await loadReceiptSigner(approvalStore, sealer), sealer,
    settings: approvalsConfigSchema.parse({ sweep_ms: 60_000 }),
  });

  const oidc = createOidcVerifier(oidcConfigSchema.parse({ issuer: idp.issuer, client_id: OIDC_CLIENT_ID, audience: OIDC_AUDIENCE, session: { idle_minutes: 30, absolute_hours: 8 } }));
  const app = buildApp(deps, { bodyLimit: 1_048_576 });
  await registerConsole(app, {
    gateway: deps, oidc, tls: options.tls ?? false, corpus, audit, approvals,
    config: consoleConfigSchema.parse({ chart_interval_seconds: 1, ingest_roots: [join(dataDir, 'inbox')] }), versions: { guards: 'test-guards-1' },
    ...(options.now ? { now: options.now } : {}),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  await idp.configure([`${url}/console/auth/callback`]);
  return {
    url, idp, deps, approvals, audit, dataDir, inboxDir,
    async principalOf(userId) {
      const user = await store.identities.getUser(userId);
      if (!user) throw new Error(`no user ${userId}`);
      return toPrincipal(user, { method: 'api_key', keyId: 'test' });
    },
    async enrollTotp(userId) {
      const { uri } = await enrollTotp({ store: approvalStore, identities: store.identities, sealer }, userId, { issuer: 'Enclave', replace: true });
      return new URL(uri).searchParams.get('secret')!;
    },
    async close() {
      await app.close();
      await approvals.close();
      await audit.close();
      await models.close();
      await store.close();
      await idp.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
