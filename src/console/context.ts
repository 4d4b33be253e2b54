/** What the console's routes share: the gateway's dependencies, the OIDC client, sessions, options. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApprovalService } from '../approvals/index.ts';
import type { AuditLog } from '../audit/index.ts';
import type { GatewayDeps } from '../gateway/index.ts';
import type { OidcClient } from '../identity/oidc.ts';
import type { CorpusStore, RetrieverOptions } from '../retrieval/index.ts';
import type { ConsoleConfig } from './config.ts';
import type { ConsoleSession, SessionPolicy } from './session.ts';
import type { SessionStore } from './session-store.ts';

/** What `registerConsole` needs; everything optional is a page that says it is not configured. */
export interface ConsoleDeps {
  gateway: GatewayDeps;
  /** createOidcVerifier(config.oidc). */
  oidc: OidcClient;
  /**
   * Enclave terminates TLS itself: Secure __Host- cookies and HSTS on every request. Without it,
   * a request gets them when it arrived over HTTPS, as request.protocol says (behind a proxy:
   * X-Forwarded-Proto, read only when the app trusts proxies).
   */
  tls: boolean;
  config?: ConsoleConfig;
  /** Defaults to the store's session tables (sessionStoreFor(gateway.store)). */
  sessions?: SessionStore;
  corpus?: CorpusStore;
  retrieval?: Pick<RetrieverOptions, 'allowedControls'>;
  approvals?: ApprovalService;
  audit?: AuditLog;
  /** Version strings shown on the status page (e.g. the guards' model digest). */
  versions?: Record<string, string>;
  now?: () => number;
}

/** The resolved dependencies the route modules receive. */
export interface ConsoleContext extends Omit<ConsoleDeps, 'sessions' | 'now' | 'config'> {
  sessions: SessionStore;
  config: ConsoleConfig;
  policy: SessionPolicy;
  now(): number;
  /** The request's session, or a 401 sent and undefined returned. */
  requireSession(request: FastifyRequest, reply: FastifyReply, options?: { csrf?: boolean }): Promise<ConsoleSession | undefined>;
}
