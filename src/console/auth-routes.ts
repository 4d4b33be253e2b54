/**
 * Sign-in with OpenID Connect (authorization code + PKCE), the callback, and sign-out. The login
 * in flight is stored (any replica can finish it) and bound to this browser by a cookie holding
 * the `state`, so a callback started elsewhere (login CSRF) finds nothing.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { constantTimeEqual, randomToken, sha256Hex } from '../crypto/index.ts';
import { createPkcePair, OidcError } from '../identity/oidc.ts';
import type { Assets } from './assets.ts';
import type { ConsoleContext } from './context.ts';
import { PAGES, renderMessage } from './html.ts';
import { clearSessionCookie, cookieOptions, isSecureRequest, loginCookieName, sessionCookieName, startSession } from './session.ts';

const LOGIN_TTL_MS = 10 * 60_000;
const RETURN_TO = new RegExp(`^/console/(${PAGES.join('|')})$`);

const REFUSALS: Record<string, string> = {
  no_user_id: 'The identity provider did not say who you are (no user id claim).',
  no_clearance: 'Your account carries no clearance claim, so the console cannot decide what you may see. Ask your security officer.',
  invalid_clearance: 'Your account\'s clearance claim is not a valid marking. Ask your security officer.',
  invalid_nationality: 'Your account\'s nationality claim is missing or not a three-letter country code.',
  invalid_roles: 'Your account\'s roles claim is malformed.',
  disabled: 'Your account is disabled on this gateway.',
};

function redirectUri(ctx: ConsoleContext, request: FastifyRequest): string {
  return ctx.oidc.config.redirect_uri ?? `${request.protocol}://${request.host}/console/auth/callback`;
}

function sendPage(reply: FastifyReply, status: number, assets: Assets, title: string, message: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderMessage(title, message, assets));
}

export function registerAuthRoutes(app: FastifyInstance, ctx: ConsoleContext, assets: Assets): void {
  const loginLimit = { config: { rateLimit: { max: ctx.config.login_rate_per_minute, timeWindow: 60_000 } } };

  app.get('/auth/login', loginLimit, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const returnTo = typeof q.return_to === 'string' && RETURN_TO.test(q.return_to) ? q.return_to : '/console/ask';
    const state = randomToken(32);
    const nonce = randomToken(32);
    const pkce = createPkcePair();
    let location: string;
    try {
      // ?fresh=1: the user asks to authenticate again, e.g. because an administrative action needs recent MFA.
      location = await ctx.oidc.authorizationUrl({ state, nonce, challenge: pkce.challenge, redirectUri: redirectUri(ctx, request), fresh: q.fresh === '1' });
    } catch (err) {
      request.log.warn({ err: err instanceof OidcError ? err.message : 'unexpected' }, 'console sign-in: provider unavailable');
      return sendPage(reply, 503, assets, 'Sign-in unavailable', 'The identity provider cannot be reached, so nobody can sign in right now. Try again shortly; API keys still work.');
    }
    await ctx.sessions.saveLogin({ stateHash: sha256Hex(state), verifier: pkce.verifier, nonce, returnTo, expiresAt: ctx.now() + LOGIN_TTL_MS });
    const secure = isSecureRequest(request, ctx.policy);
    reply.setCookie(loginCookieName(secure), state, cookieOptions(secure, LOGIN_TTL_MS / 1000));
    return reply.header('cache-control', 'no-store').redirect(location, 302);
  });

  app.get('/auth/callback', loginLimit, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const state = typeof q.state === 'string' ? q.state : '';
    const secure = isSecureRequest(request, ctx.policy);
    const bound = request.cookies[loginCookieName(secure)] ?? '';
    reply.clearCookie(loginCookieName(secure), { path: '/', secure, httpOnly: true, sameSite: 'lax' });
    if (!state || bound.length !== state.length || !constantTimeEqual(Buffer.from(bound), Buffer.from(state))) {
      return sendPage(reply, 400, assets, 'Sign-in expired', 'This sign-in was not started in this browser, or it has expired. Start again.');
    }
    const login = await ctx.sessions.takeLogin(sha256Hex(state), ctx.now());
    if (!login) return sendPage(reply, 400, assets, 'Sign-in expired', 'This sign-in has already been used or has expired. Start again.');
    if (typeof q.error === 'string') {
      const code = /^[a-z_]{1,64}$/.test(q.error) ? q.error : 'error';
      return sendPage(reply, 403, assets, 'Sign-in refused', `The identity provider refused the sign-in (${code}).`);
    }
    if (typeof q.code !== 'string' || q.code.length === 0 || q.code.length > 2048) {
      return sendPage(reply, 400, assets, 'Sign-in failed', 'The identity provider sent no authorization code.');
    }
    let result;
    try {
      result = await ctx.oidc.finishLogin({ code: q.code, verifier: login.verifier, nonce: login.nonce, redirectUri: redirectUri(ctx, request) });
    } catch (err) {
      request.log.warn({ code: err instanceof OidcError ? err.code : 'unexpected' }, 'console sign-in failed');
      return sendPage(reply, 502, assets, 'Sign-in failed', 'The sign-in could not be completed with the identity provider. Start again.');
    }
    let refusal: string | undefined = result.ok ? undefined : result.reason;
    const existing = result.ok ? await ctx.gateway.store.identities.getUser(result.principal.id) : undefined;
    if (existing?.disabled) refusal = 'disabled';
    if (refusal || !result.ok) {
      await ctx.gateway.recorder.record({ kind: 'decision', actor: existing?.id ?? null, requestId: request.id, data: { action: 'console.sign_in', decision: 'deny', rule: 'auth.oidc', reason: refusal } });
      return sendPage(reply, 403, assets, 'Sign-in refused', REFUSALS[refusal ?? ''] ?? 'Sign-in refused.');
    }
    const p = result.principal;
    // The provider is the source of truth for its users: the store mirrors them so approvals and audit can name them.
    await ctx.gateway.store.identities.upsertUser({ id: p.id, name: p.name, clearance: p.clearanceText, nationality: p.nationality, roles: [...p.roles], disabled: false, updatedAt: new Date(ctx.now()).toISOString() });
    const { cookie } = await startSession(ctx.sessions, p, ctx.policy, ctx.now());
    await ctx.gateway.recorder.record({ kind: 'decision', actor: p.id, requestId: request.id, data: { action: 'console.sign_in', decision: 'allow', rule: 'auth.oidc', label: p.clearanceText } });
    reply.setCookie(sessionCookieName(secure), cookie, cookieOptions(secure, Math.floor(ctx.policy.absoluteMs / 1000)));
    return reply.header('cache-control', 'no-store').redirect(login.returnTo, 303);
  });

  app.post('/auth/logout', async (request, reply) => {
    const session = await ctx.requireSession(request, reply, { csrf: true });
    if (!session) return reply;
    await ctx.sessions.deleteSession(session.idHash);
    clearSessionCookie(reply, isSecureRequest(request, ctx.policy));
    await ctx.gateway.recorder.record({ kind: 'decision', actor: session.principal.id, requestId: request.id, data: { action: 'console.sign_out', decision: 'allow', rule: 'auth.session' } });
    const signedOut = `${request.protocol}://${request.host}/console/signed-out`;
    return reply.send({ redirect: (await ctx.oidc.endSessionUrl(signedOut)) ?? '/console/signed-out' });
  });

  app.get('/signed-out', async (_request, reply) => sendPage(reply, 200, assets, 'Signed out', 'You have signed out of the Enclave console.'));
}
