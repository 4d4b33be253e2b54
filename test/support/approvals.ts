/**
 * A real gateway with the approvals routes, for end-to-end tests: real store (SQLite or
 * PostgreSQL), the real policy engine, real HTTP on loopback, a clock the test can move.
 * Run as a script (ENCLAVE_APPROVALS_CHILD set) it serves until killed, for crash tests.
 */
import { loadGuards } from '../../src/guards/index.ts';
import { generate } from 'otplib';
import pino from 'pino';
import { recordFromEvent } from '../../src/audit/index.ts';
import {
  approvalsConfigSchema, createApprovalService, createToolRegistry, enrollTotp, loadReceiptSigner, loadSecretSealer,
  type ApprovalService, type ApprovalsConfig, type ApprovalStore, type ToolConfig,
} from '../../src/approvals/index.ts';
import { randomId } from '../../src/crypto/index.ts';
import { createDecisionCache, createMetrics, type GatewayDeps, type Recorder } from '../../src/gateway/index.ts';
import { bootstrapUsers, createApiKey, type BootstrapUser } from '../../src/identity/index.ts';
import { createModelRegistry } from '../../src/inference/index.ts';
import { createPolicyEngine, type PolicyEngine } from '../../src/policy/index.ts';
import { buildApp } from '../../src/server/index.ts';
import { registerActionRoutes } from '../../src/server/routes/actions.ts';
import { registerApprovalRoutes } from '../../src/server/routes/approvals.ts';
import { createPostgresApprovalStore } from '../../src/store/approvals-postgres.ts';
import { createSqliteApprovalStore } from '../../src/store/approvals-sqlite.ts';
import { openPostgresStore, openSqliteStore, type Store } from '../../src/store/index.ts';

export const APPROVAL_TEST_USERS: BootstrapUser[] = [
  { id: 'alice', name: 'Alice Operator', clearance: 'SECRET', nationality: 'USA', roles: ['analyst', 'operator'] },
  { id: 'bob', name: 'Bob Analyst', clearance: 'SECRET', nationality: 'USA', roles: ['analyst'] },
  { id: 'carol', name: 'Carol Commander', clearance: 'SECRET', nationality: 'USA', roles: ['commander', 'operator'] },
  { id: 'dave', name: 'Dave Commander', clearance: 'SECRET', nationality: 'USA', roles: ['commander'] },
  { id: 'erin', name: 'Erin Commander', clearance: 'SECRET', nationality: 'USA', roles: ['commander'] },
];

/** Deployment permits: operators may call any tool, analysts may ask to unmask (holds and red lines still apply). */
export const TEST_POLICIES = `
@id("test.operator_tools")
@reason("operators may call registered tools")
permit (principal, action == Action::"call_tool", resource is Tool)
when { principal.roles.contains("operator") };

@id("test.analyst_unmask")
@reason("analysts may ask for a U.S. person's identity to be unmasked")
permit (principal, action == Action::"unmask", resource is Portion)
when { principal.roles.contains("analyst") };
`;

/** strike: kinetic, two commanders with TOTP. lookup: read, allowed. note: write, one commander, no TOTP. */
export function testTools(toolUrl: (name: string) => string, overrides: Partial<Record<string, Partial<ToolConfig>>> = {}): ToolConfig[] {
  const tools: ToolConfig[] = [
    {
      name: 'strike', description: 'fire mission', effect: 'kinetic', endpoint: toolUrl('strike'),
      arguments: { type: 'object', properties: { target: { type: 'string', pattern: '^[A-Z]{2}[0-9]{4}$' }, rounds: { type: 'integer', minimum: 1, maximum: 10 } }, required: ['target', 'rounds'], additionalProperties: false },
      approvals_required: 2, approver_roles: ['commander'], timeout_ms: 2000, max_response_bytes: 65_536,
    },
    {
      name: 'lookup', description: 'read-only lookup', effect: 'read', endpoint: toolUrl('lookup'),
      arguments: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
      approvals_required: 0, approver_roles: [], timeout_ms: 2000, max_response_bytes: 65_536,
    },
    {
      name: 'note', description: 'write a note', effect: 'write', endpoint: toolUrl('note'),
      arguments: { type: 'object', properties: { text: { type: 'string' } } },
      approvals_required: 1, approver_roles: ['commander'], timeout_ms: 2000, max_response_bytes: 65_536,
    },
  ];
  return tools.map((t) => ({ ...t, ...overrides[t.name] }) as ToolConfig);
}

/** A clock the test moves by hand; the gateway reads it for expiry, TOTP and receipts. */
export class TestClock {
  constructor(private ms = Date.now()) {}
  now = (): Date => new Date(this.ms);
  advance(ms: number): void { this.ms += ms; }
}

export interface RecordedEvent {
  kind: string;
  actor: string | null;
  requestId: string | null;
  data: Record<string, unknown>;
}

export interface ApprovalsGateway {
  readonly url: string;
  readonly keys: Record<string, string>;
  readonly service: ApprovalService;
  readonly approvals: ApprovalStore;
  readonly store: Store;
  /** Every audit event, each first checked by the audit part's own mapping (unknown kinds throw). */
  readonly events: RecordedEvent[];
  close(): Promise<void>;
}

export interface ApprovalsGatewayOptions {
  /** `sqlite:PATH` or a PostgreSQL URL. */
  storeUrl: string;
  /** Holds approvals.key; replicas of one store share it. */
  dataDir: string;
  tools: ToolConfig[];
  clock?: () => Date;
  settings?: Partial<ApprovalsConfig>;
  /** Keys to reuse (a replica, a restart); new ones are created otherwise. */
  keys?: Record<string, string>;
}

// Loading Cedar and preparsing the policies takes about a second; an engine is immutable, so
// every gateway of a test process shares one.
let sharedEngine: Promise<PolicyEngine> | undefined;

async function openStores(url: string): Promise<{ store: Store; approvals: ApprovalStore }> {
  if (url.startsWith('sqlite:')) {
    const store = openSqliteStore(url.slice('sqlite:'.length));
    return { store, approvals: createSqliteApprovalStore(store.db) };
  }
  const store = await openPostgresStore(url, { maxConnections: 20 });
  return { store, approvals: createPostgresApprovalStore(store.sql) };
}

/** Starts a gateway with the approvals routes on 127.0.0.1 and a free port. */
export async function startApprovalsGateway(options: ApprovalsGatewayOptions): Promise<ApprovalsGateway> {
  const { store, approvals } = await openStores(options.storeUrl);
  await bootstrapUsers(store.identities, APPROVAL_TEST_USERS);
  const events: RecordedEvent[] = [];
  const recorder: Recorder = {
    async record(event) {
      recordFromEvent(event);
      events.push(event);
      const id = randomId('evt_');
      await store.events.insertEvent({ id, at: new Date().toISOString(), ...event });
      return { ref: id };
    },
  };
  const logger = pino({ level: 'silent' });
  const models = await createModelRegistry([{
    id: 'quotes', backend: 'extractive', accredited: 'UNCLASSIFIED', retrieval: false, retries: 0, connect_timeout_ms: 1000,
    first_byte_timeout_ms: 1000, idle_timeout_ms: 1000, context_size: 4096, max_concurrency: 1,
  }], {});
  const engine = await (sharedEngine ??= createPolicyEngine({ policies: TEST_POLICIES }));
  const decisions = createDecisionCache(engine);
  const deps: GatewayDeps = { store, policy: engine, decisions, guards: loadGuards(), models, logger, metrics: createMetrics(), recorder, limits: { maxMessages: 64 }, banner: 'inline' };
  const sealer = loadSecretSealer({ dataDir: options.dataDir, env: {} });
  const service = createApprovalService({
    store: approvals, identities: store.identities, logger, recorder, decide: (r) => decisions.decide(r),
    tools: createToolRegistry(options.tools), signer: await loadReceiptSigner(approvals, sealer), sealer,
    settings: approvalsConfigSchema.parse({ sweep_ms: 60_000, recheck_ms: 50, ...options.settings }),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const app = buildApp(deps, { bodyLimit: 1_048_576 });
  registerApprovalRoutes(app, { approvals: service, auth: deps });
  registerActionRoutes(app, { approvals: service, auth: deps });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const keys = options.keys ?? {};
  if (!options.keys) for (const u of APPROVAL_TEST_USERS) keys[u.id] = (await createApiKey(store.identities, u.id, 'test')).key;
  return {
    url, keys, service, approvals, store, events,
    async close() {
      await app.close();
      await models.close();
      await store.close();
    },
  };
}

/** Enrols `userId` for TOTP and returns the base32 secret, read back from the otpauth URI as an app would. */
export async function enrollForTest(gw: Pick<ApprovalsGateway, 'approvals' | 'store'>, dataDir: string, userId: string): Promise<string> {
  const sealer = loadSecretSealer({ dataDir, env: {} });
  const { uri } = await enrollTotp({ store: gw.approvals, identities: gw.store.identities, sealer }, userId, { issuer: 'Enclave', replace: true });
  return new URL(uri).searchParams.get('secret')!;
}

/** The TOTP code an authenticator shows at `at`. */
export function totpAt(secret: string, at: Date): Promise<string> {
  return generate({ secret, epoch: Math.floor(at.getTime() / 1000) });
}

/** JSON over HTTP with a bearer key. */
export async function call(url: string, key: string | undefined, method: string, body?: unknown): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(url, {
    method, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) as Record<string, any> : {} };
}

// As a script: serve until killed, printing the URL (the crash-restart test runs it in a child).
if (process.env.ENCLAVE_APPROVALS_CHILD) {
  const spec = JSON.parse(process.env.ENCLAVE_APPROVALS_CHILD) as ApprovalsGatewayOptions;
  const gw = await startApprovalsGateway(spec);
  process.stdout.write(`listening ${gw.url}\n`);
}
