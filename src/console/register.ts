/**
 * registerConsole: the web console under /console, as one encapsulated fastify plugin with its
 * own security headers (CSP without inline script, frame denial, HSTS under TLS), cookies and rate
 * limits, so the /v1 API's behaviour is untouched.
 */
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatBanner } from '../markings/index.ts';
import { registerApprovalRoutes } from './approvals-route.ts';
import { buildAssets, registerAssetRoutes } from './assets.ts';
import { registerAskRoute } from './ask-route.ts';
import { registerAuditRoutes } from './audit-route.ts';
import { registerAuthRoutes } from './auth-routes.ts';
import { DEFAULT_CONSOLE_CONFIG } from './config.ts';
import type { ConsoleContext, ConsoleDeps } from './context.ts';
import { registerCorpusRoutes } from './corpus-route.ts';
import { PAGES, renderShell, type PageName } from './html.ts';
import { checkCsrf, loadSession, type SessionPolicy } from './session.ts';
import { sessionStoreFor } from './session-store.ts';
import { registerStatusRoute } from './status-route.ts';

const PURGE_INTERVAL_MS = 10 * 60_000;
const HSTS_MAX_AGE_SECONDS = 63_072_000; // two years, the preload list's minimum is one

function unauthorised(reply: FastifyReply, code: string, message: string, status = 401): undefined {
  reply.code(status).header('cache-control', 'no-store').send({ error: { message, code } });
  return undefined;
}

/**
 * Registers the console (pages, sign-in, console API, assets) under /console. Await it before listen.
 * @example await registerConsole(app, { gateway: deps, oidc: createOidcVerifier(config.oidc), tls: !!config.server.tls })
 */
export async function registerConsole(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const config = deps.config ?? DEFAULT_CONSOLE_CONFIG;
  const session = deps.oidc.config.session;
  const policy: SessionPolicy = { idleMs: session.idle_minutes * 60_000, absoluteMs: session.absolute_hours * 3_600_000, secure: deps.tls };
  const assets = await buildAssets();
  const sessions = deps.sessions ?? sessionStoreFor(deps.gateway.store);
  const now = deps.now ?? Date.now;
  const ctx: ConsoleContext = {
    ...deps, config, sessions, policy, now,
    async requireSession(request: FastifyRequest, reply: FastifyReply, options: { csrf?: boolean } = {}) {
      const s = await loadSession(sessions, request, policy, now());
      if (!s) return unauthorised(reply, 'session_required', 'Your session has ended. Sign in again.');
      if (options.csrf && !checkCsrf(request, s)) return unauthorised(reply, 'csrf_failed', 'This request did not carry the session\'s CSRF token.', 403);
      reply.header('x-enclave-classification', formatBanner(s.principal.clearance));
      return s;
    },
  };

  await app.register(async (scope) => {
    await scope.register(cookie);
    await scope.register(helmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:'], fontSrc: ["'self'"],
          connectSrc: ["'self'"], formAction: ["'self'"], frameAncestors: ["'none'"], baseUri: ["'none'"], objectSrc: ["'none'"],
        },
      },
      frameguard: { action: 'deny' },
      hsts: deps.tls ? { maxAge: HSTS_MAX_AGE_SECONDS, includeSubDomains: true } : false,
      referrerPolicy: { policy: 'no-referrer' },
      crossOriginEmbedderPolicy: false,
    });
    await scope.register(rateLimit, { global: false });
    scope.addHook('onRequest', async (_request, reply) => { reply.header('cache-control', 'no-store'); });
    // Expired sessions and abandoned logins are refused by the store's conditional reads; this only reclaims the rows.
    let purge: NodeJS.Timeout | undefined;
    scope.addHook('onReady', async () => {
      purge = setInterval(() => { sessions.purgeExpired(now()).catch((err: unknown) => scope.log.warn({ err }, 'console: session purge failed')); }, PURGE_INTERVAL_MS);
      purge.unref();
    });
    scope.addHook('onClose', async () => { if (purge) clearInterval(purge); });

    registerAssetRoutes(scope, assets);
    registerAuthRoutes(scope, ctx, assets);
    registerAskRoute(scope, ctx);
    registerStatusRoute(scope, ctx);
    registerCorpusRoutes(scope, ctx);
    registerApprovalRoutes(scope, ctx);
    registerAuditRoutes(scope, ctx);

    scope.get('/api/session', async (request, reply) => {
      const s = await ctx.requireSession(request, reply);
      if (!s) return reply;
      const p = s.principal;
      return reply.send({
        user: { id: p.id, name: p.name, roles: p.roles, clearance: p.clearanceText, nationality: p.nationality },
        banner: formatBanner(p.clearance), csrf_token: s.csrfToken,
        idle_expires_at: new Date(s.idleExpiresAt).toISOString(), absolute_expires_at: new Date(s.absoluteExpiresAt).toISOString(),
      });
    });

    const page = async (name: PageName, request: FastifyRequest, reply: FastifyReply) => {
      const s = await loadSession(sessions, request, policy, now());
      if (!s) return reply.redirect(`/console/auth/login?return_to=${encodeURIComponent(`/console/${name}`)}`, 302);
      reply.header('x-enclave-classification', formatBanner(s.principal.clearance));
      return reply.type('text/html; charset=utf-8').send(renderShell(name, s, assets));
    };
    scope.get('/', async (_request, reply) => reply.redirect('/console/ask', 302));
    for (const name of PAGES) scope.get(`/${name}`, async (request, reply) => page(name, request, reply));
  }, { prefix: '/console' });
}
