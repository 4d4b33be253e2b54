/**
 * registerConsole: the web console under /console, as one encapsulated fastify plugin with its
 * own security headers (CSP without inline script, frame denial, HSTS over HTTPS), cookies and rate
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
import { checkCsrf, isSecureRequest, loadSession, type SessionPolicy } from './session.ts';
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
  const policy: SessionPolicy = { idleMs: session.idle_minutes * 60_000, absoluteMs: session.absolute_hours * 3_600_000, tls: deps.tls };
  const assets = await buildAssets();
  const sessions = deps.sessions ?? sessionStoreFor(deps.gateway.store);
  const now = deps.now ?? Date.now;
  const ctx: ConsoleContext = {
    ...deps, config, sessions, policy, now,
    async requireSession(request: FastifyRequest, reply: FastifyReply, options: { csrf?: boolean } = {}) {
      const s = await loadSession(sessions, request, policy, now());
      if (!s) return unauthorised(reply, 'session_required', 'Your session has ended. Sign in again.');
      // Disabling a user on the gateway ends their console sessions at the next request, as it does their keys and tokens.
      const user = await deps.gateway.store.identities.getUser(s.principal.id);
      if (user?.disabled) {
        await sessions.deleteSession(s.idHash);
        return unauthorised(reply, 'session_required', 'Your session has ended. Sign in again.');
      }
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
      // Per request below: HSTS is sent only over HTTPS (RFC 6797 7.2), which behind a proxy depends on the request.
      hsts: false,
      referrerPolicy: { policy: 'no-referrer' },
      crossOriginEmbedderPolicy: false,
    });
    await scope.register(rateLimit, { global: false });
    // The app's error handler words a 429 as an unreadable request; the console says what happened.
    scope.setErrorHandler((err: { statusCode?: number }, _request, reply) => {
      if (err.statusCode === 429) return reply.code(429).header('cache-control', 'no-store').send({ error: { message: 'Too many attempts: try again in a minute.', code: 'rate_limited' } });
      return reply.send(err);
    });
    scope.addHook('onRequest', async (request, reply) => {
      reply.header('cache-control', 'no-store');
      if (isSecureRequest(request, policy)) reply.header('strict-transport-security', `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`);
    });
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
