/**
 * A development OpenID provider (oidc-provider from npm) for the demo and the tests: it listens on
 * 127.0.0.1 only, its accounts are the configuration's users, and its sign-in page lets the visitor
 * pick one, without a password. It issues ID tokens and RFC 9068 JWT access tokens whose claims
 * carry clearance, nationality and roles under the names the gateway's `oidc.claims` reads.
 * Demonstration only: its keys are made at every start and anyone who reaches it is anyone.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import type Provider from 'oidc-provider';
import { randomToken } from '../crypto/index.ts';
import { renderSignInPage, SIGN_IN_CSP } from './demo-sign-in.ts';

/** A user the demo provider can sign in; a claim left out is absent from the tokens (tests use that). */
export interface DemoAccount {
  id: string;
  name: string;
  clearance?: string;
  nationality?: string;
  roles?: readonly string[];
}

/** Which claim carries each attribute: the gateway's `oidc.claims`. */
export interface DemoClaimNames {
  user_id: string;
  name: string;
  clearance: string;
  nationality: string;
  roles: string;
}

export interface DemoProviderOptions {
  accounts: readonly DemoAccount[];
  /** The port on 127.0.0.1; 0 picks a free one. */
  port: number;
  clientId: string;
  /** The `aud` of access tokens (the gateway's `oidc.audience`). */
  audience: string;
  claims?: DemoClaimNames;
  accessTokenTtlSeconds?: number;
  /** The signing key's `kid`. */
  keyId?: string;
}

export interface DemoIdentityProvider {
  /** http://127.0.0.1:<port> */
  readonly issuer: string;
  /**
   * Registers the console's callback URLs, known once the gateway listens; until then every
   * request is answered 503. Sign-out returns to /console/signed-out beside each callback.
   */
  configure(redirectUris: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

const DEFAULT_CLAIMS: DemoClaimNames = { user_id: 'sub', name: 'name', clearance: 'clearance', nationality: 'nationality', roles: 'roles' };
const INTERACTION = /^\/interaction\/([A-Za-z0-9_-]{1,128})(\/login)?$/;
const MAX_FORM_BYTES = 4096;

function claimsOf(a: DemoAccount, names: DemoClaimNames): Record<string, unknown> {
  return {
    sub: a.id, [names.user_id]: a.id, [names.name]: a.name,
    ...(a.clearance !== undefined ? { [names.clearance]: a.clearance } : {}),
    ...(a.nationality !== undefined ? { [names.nationality]: a.nationality } : {}),
    ...(a.roles !== undefined ? { [names.roles]: [...a.roles] } : {}),
  };
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(text);
}

/** Builds the provider for `issuer` with one public client that must use PKCE. */
async function createProvider(issuer: string, options: DemoProviderOptions, redirectUris: readonly string[]): Promise<Provider> {
  // Loaded only when a demo provider starts: the module warns on import about Node.js 20.
  const { default: OidcProvider, interactionPolicy } = await import('oidc-provider');
  const names = options.claims ?? DEFAULT_CLAIMS;
  const byId = new Map(options.accounts.map((a) => [a.id, a]));
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: options.keyId ?? 'demo-rs256', alg: 'RS256', use: 'sig' };
  // Every sign-in shows the user picker, so a demo can switch users without signing out here.
  const policy = interactionPolicy.base();
  policy.get('login')!.checks.add(new interactionPolicy.Check('demo_pick_user', 'the demo asks who you are at every sign-in',
    (ctx) => (ctx.oidc.result?.login ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT)));
  const profileClaims = [...new Set([names.user_id, names.name, names.clearance, names.nationality, names.roles])].filter((c) => c !== 'sub');
  const accessTtl = options.accessTokenTtlSeconds ?? 600;
  return new OidcProvider(issuer, {
    clients: [{
      client_id: options.clientId, token_endpoint_auth_method: 'none', redirect_uris: [...redirectUris],
      post_logout_redirect_uris: redirectUris.map((u) => new URL('/console/signed-out', u).toString()),
      grant_types: ['authorization_code'], response_types: ['code'],
    }],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomToken(32)] },
    claims: { openid: ['sub'], profile: profileClaims },
    // Claims in the ID token itself, as most enterprise providers are configured to do.
    conformIdTokenClaims: false,
    findAccount: async (_ctx, id) => {
      const a = byId.get(id);
      return a ? { accountId: id, claims: async () => claimsOf(a, names) as { sub: string } } : undefined;
    },
    interactions: { policy, url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => options.audience,
        useGrantedResource: async () => true,
        getResourceServerInfo: async () => ({
          scope: 'openid profile', audience: options.audience, accessTokenFormat: 'jwt', accessTokenTTL: accessTtl,
        }),
      },
    },
    // RFC 9068 access tokens carry the same attributes, for API callers.
    extraTokenClaims: async (_ctx, token) => {
      const a = 'accountId' in token && typeof token.accountId === 'string' ? byId.get(token.accountId) : undefined;
      if (!a) return undefined;
      const { sub: _sub, ...rest } = claimsOf(a, names);
      return rest;
    },
    pkce: { required: () => true },
    ttl: { AccessToken: accessTtl, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 8 * 3600, Grant: 8 * 3600 },
  });
}

/** The sign-in page (login prompt) and an automatic consent for the one first-party client. */
async function handleInteraction(provider: Provider, accounts: readonly DemoAccount[], req: IncomingMessage, res: ServerResponse, uid: string, login: boolean): Promise<void> {
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    return sendText(res, 400, 'This sign-in has expired or was started in another browser. Start again from the console.');
  }
  if (details.uid !== uid) return sendText(res, 400, 'This sign-in does not match the page it was posted from.');
  if (login) {
    if (req.method !== 'POST' || details.prompt.name !== 'login') return sendText(res, 405, 'Pick a user on the sign-in page.');
    const form = await readForm(req);
    const id = form?.get('account') ?? '';
    if (!accounts.some((a) => a.id === id)) return sendText(res, 400, 'No such demo user.');
    return provider.interactionFinished(req, res, { login: { accountId: id } }, { mergeWithLastSubmission: false });
  }
  if (details.prompt.name === 'login') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': SIGN_IN_CSP, 'x-frame-options': 'DENY' });
    return void res.end(renderSignInPage(accounts, `/interaction/${uid}/login`));
  }
  // Consent: the demo grants the console what it asked for (it is the provider's only client).
  const { prompt, params, session } = details;
  const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId: session!.accountId, clientId: String(params.client_id) });
  if (!grant) return sendText(res, 400, 'This sign-in has expired. Start again from the console.');
  const missing = prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: details.grantId ? {} : { grantId } }, { mergeWithLastSubmission: true });
}

/**
 * Starts the demo provider's HTTP server on 127.0.0.1 at once (so the issuer URL is known);
 * configure() attaches the provider once the console's callback URLs are known.
 * @example const idp = await startDemoIdentityProvider({ accounts: config.users, port: 8081, clientId: 'enclave-console', audience: 'urn:enclave:api' })
 */
export async function startDemoIdentityProvider(options: DemoProviderOptions): Promise<DemoIdentityProvider> {
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handle) return handle(req, res);
    sendText(res, 503, 'The demo identity provider is starting.');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    async configure(redirectUris) {
      const provider = await createProvider(issuer, options, redirectUris);
      const callback = provider.callback();
      handle = (req, res) => {
        const m = INTERACTION.exec(new URL(req.url ?? '/', issuer).pathname);
        if (!m) return void callback(req, res);
        handleInteraction(provider, options.accounts, req, res, m[1]!, m[2] !== undefined)
          .catch(() => { if (!res.headersSent) sendText(res, 500, 'The demo identity provider failed.'); else res.end(); });
      };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
