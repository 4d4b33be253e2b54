/** Starts a gateway from a validated configuration: store, principals, models, HTTP. */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import { createApprovalService, createToolRegistry, loadReceiptSigner, loadSecretSealer, type ApprovalService } from '../approvals/index.ts';
import type { AuditLog } from '../audit/index.ts';
import type { ScryptParams } from '../crypto/index.ts';
import { createDecisionCache, createMetrics, type GatewayDeps } from '../gateway/index.ts';
import { registerConsole } from '../console/index.ts';
import { loadGuards } from '../guards/index.ts';
import { bootstrapUsers, createApiKey, createOidcVerifier } from '../identity/index.ts';
import { createModelRegistry } from '../inference/index.ts';
import { createPolicyEngine } from '../policy/index.ts';
import { createRetriever, ingestPaths } from '../retrieval/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { buildApp } from './app.ts';
import { openGatewayAudit, type GatewayAudit } from './audit-setup.ts';
import { consoleCallbackUris, demoIdentityWarning, startConfiguredDemoIdentity } from './demo-identity.ts';
import { createContentRetention } from './retention.ts';
import { registerActionRoutes } from './routes/actions.ts';
import { registerApprovalRoutes } from './routes/approvals.ts';
import { registerAuditRoutes } from './routes/audit.ts';
import { registerUnmaskRoute } from './routes/unmask.ts';
import type { EnclaveConfig } from './config.ts';

export interface RunningGateway {
  /** Base URL clients use, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly deps: GatewayDeps;
  /** The Merkle audit log every request is recorded in. */
  readonly audit: AuditLog;
  /** Held actions and their approvals. */
  readonly approvals: ApprovalService;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Where start-up notices (demo keys) are printed. */
  print?: (line: string) => void;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  /** scrypt cost for sealing a newly generated audit key ring (tests lower it). */
  keyKdf?: ScryptParams;
  /** Console overrides for tests: a clock for session limits, and Secure cookies and HSTS as under TLS. */
  console?: { now?: () => number; tls?: boolean };
}

/** Revokes earlier demo keys and prints a fresh one per bootstrap user (demo configuration only). */
async function printDemoKeys(store: Store, config: EnclaveConfig, print: (line: string) => void): Promise<void> {
  const now = new Date();
  print('Demo API keys (new at every start; earlier demo keys are revoked):');
  for (const u of config.users) {
    for (const k of await store.identities.listApiKeys(u.id)) {
      if (k.label === 'demo' && k.revokedAt === null) await store.identities.revokeApiKey(k.id, now.toISOString());
    }
    const { key } = await createApiKey(store.identities, u.id, 'demo', now);
    print(`  ${u.id.padEnd(10)} ${u.clearance.padEnd(28)} ${key}`);
  }
}

/** Opens everything the configuration names and listens. */
export async function startGateway(config: EnclaveConfig, options: StartOptions = {}): Promise<RunningGateway> {
  const logger = options.logger ?? pino({ level: config.logging.level, base: { service: 'enclave' } });
  mkdirSync(resolve(config.data_dir), { recursive: true });
  const store = await openStore(config.store, { walCheckpointer: true, onError: (message) => logger.error(message) });
  const env = options.env ?? process.env;
  let models;
  let policy;
  let audit: GatewayAudit | undefined;
  try {
    // The audit log opens first: start-up itself is an entry, and a request is never served unrecorded.
    audit = await openGatewayAudit(config, store, { logger, env, ...(options.keyKdf ? { scryptParams: options.keyKdf } : {}) });
    // A bad policy stops the start-up with Cedar's own error.
    policy = await createPolicyEngine(config.policy_dir ? { policyDir: config.policy_dir } : {});
    await bootstrapUsers(store.identities, config.users);
    if (config.corpus.ingest_on_start.length > 0) {
      const report = await ingestPaths(store.corpus, config.corpus.ingest_on_start);
      for (const p of report.problems) logger.warn({ file: p.file, line: p.line, problem: p.message }, 'corpus file rejected');
      logger.info({ documents: report.documents, portions: report.portions, ms: Math.round(report.elapsedMs) }, 'corpus ingested');
    }
    models = await createModelRegistry(config.models, env);
  } catch (err) {
    await audit?.close();
    await store.close();
    throw err;
  }
  const deps: GatewayDeps = {
    store, policy, decisions: createDecisionCache(policy), models, logger,
    guards: loadGuards(config.guards?.judge ? { judge: config.guards.judge } : {}), useJudge: Boolean(config.guards?.judge),
    ...(config.guards?.identifiers ? { identifiers: config.guards.identifiers } : {}), metrics: createMetrics(), recorder: audit.recorder,
    limits: { maxMessages: config.server.max_messages }, banner: config.banner,
    routeGroups: new Map(config.route_groups.map((g) => [g.id, g.models])),
    retriever: createRetriever(store.corpus, { topK: config.corpus.top_k }),
  };
  // Content at rest: sealed with the ring's public key only (see retention.ts).
  const retention = config.retention.content
    ? createContentRetention({ store: store.content, publicKey: audit.contentKey, settings: config.retention, recorder: deps.recorder, logger })
    : undefined;
  if (retention) deps.content = retention.retainer;
  // Held actions: TOTP secrets sealed under the data dir's key, receipts signed with Enclave's key.
  const sealer = loadSecretSealer({ dataDir: config.data_dir, env });
  const approvals = createApprovalService({
    store: store.approvals, identities: store.identities, logger, recorder: deps.recorder,
    decide: (r) => deps.decisions.decide(r), tools: createToolRegistry(config.tools),
    signer: await loadReceiptSigner(store.approvals, sealer), sealer, settings: config.approvals,
  });
  deps.approvals = approvals;
  const oidc = config.oidc ? createOidcVerifier(config.oidc, { env }) : undefined;
  if (oidc) deps.oidc = oidc;
  const print = options.print ?? ((l: string) => process.stdout.write(`${l}\n`));
  const app = buildApp(deps, { bodyLimit: config.server.body_limit, ...(config.server.tls ? { tls: config.server.tls } : {}), trustProxy: config.server.trust_proxy });
  registerAuditRoutes(app, { store, ...(deps.oidc ? { oidc: deps.oidc } : {}), audit: audit.log });
  registerApprovalRoutes(app, { approvals, auth: deps, ...(config.console ? { approvalRatePerMinute: config.console.approval_rate_per_minute } : {}) });
  registerActionRoutes(app, { approvals, auth: deps });
  registerUnmaskRoute(app, { approvals, decisions: deps.decisions, auth: deps, logger });
  // DEMO ONLY (demo.identity_provider): an OpenID provider on 127.0.0.1 whose accounts are `users`.
  let demoIdentity: Awaited<ReturnType<typeof startConfiguredDemoIdentity>>;
  try {
    demoIdentity = await startConfiguredDemoIdentity(config);
    if (oidc && config.console?.enabled !== false) {
      const versions: Record<string, string> = { policy: policy.policyVersion };
      if (deps.guards.modelVersion) versions.guards = deps.guards.modelVersion;
      await registerConsole(app, {
        gateway: deps, oidc, tls: options.console?.tls ?? Boolean(config.server.tls), ...(config.console ? { config: config.console } : {}),
        corpus: store.corpus, audit: audit.log, approvals, versions, ...(options.console?.now ? { now: options.console.now } : {}),
      });
    }
    await app.listen({ host: config.server.host, port: config.server.port });
  } catch (err) {
    await demoIdentity?.close();
    await app.close();
    await audit.close();
    await models.close();
    await store.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  const url = `${config.server.tls ? 'https' : 'http'}://${host}:${port}`;
  if (demoIdentity) {
    await demoIdentity.configure(consoleCallbackUris(config, port));
    const consoleUrl = `${config.server.tls ? 'https' : 'http'}://${config.server.host === '0.0.0.0' || config.server.host === '::' ? '127.0.0.1' : host}:${port}`;
    for (const line of demoIdentityWarning(demoIdentity.issuer, consoleUrl)) print(line);
    logger.warn({ issuer: demoIdentity.issuer }, 'demo identity provider running: demonstration only, no passwords');
  }
  await deps.recorder.record({ kind: 'startup', actor: null, requestId: null, data: { url, store: store.kind, models: models.list().map((m) => m.id) } });
  await retention?.start();
  if (config.demo.print_keys) await printDemoKeys(store, config, print);
  logger.info({ url, store: store.kind, models: models.list().map((m) => `${m.id} (${m.kind}, ${m.accreditedText})`) }, 'enclave listening');
  return {
    url, deps, audit: audit.log, approvals,
    async close() {
      await app.close();
      await demoIdentity?.close();
      await retention?.stop();
      await audit.close();
      await models.close();
      await store.close();
    },
  };
}
