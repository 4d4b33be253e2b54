/**
 * A real OpenID provider (oidc-provider from npm) on loopback for tests, with users whose claims
 * carry clearance, nationality and roles, a public client that must use PKCE, and JWT access
 * tokens (RFC 9068) for API callers. Its development login and consent pages are driven either by
 * a browser or by signInByHttp below.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

export interface OidcTestUser {
  id: string;
  name: string;
  clearance?: string;
  nationality?: string;
  roles?: string[];
}

export const OIDC_CLIENT_ID = 'enclave-console';
export const OIDC_AUDIENCE = 'urn:enclave:api';

export interface TestOidcProvider {
  readonly issuer: string;
  /** Creates the provider with the console's callback, once the gateway's port is known. */
  configure(redirectUris: string[]): Promise<void>;
  close(): Promise<void>;
}

/** Starts the provider's HTTP server at once (so the issuer URL is known); configure() attaches it. */
export async function startOidcProvider(users: readonly OidcTestUser[]): Promise<TestOidcProvider> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handler) return handler(req, res);
    res.writeHead(503).end('provider not configured');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const byId = new Map(users.map((u) => [u.id, u]));
  const claimsOf = (u: OidcTestUser) => ({
    sub: u.id, name: u.name,
    ...(u.clearance !== undefined ? { clearance: u.clearance } : {}),
    ...(u.nationality !== undefined ? { nationality: u.nationality } : {}),
    ...(u.roles !== undefined ? { roles: u.roles } : {}),
  });

  return {
    issuer,
    async configure(redirectUris) {
      const { privateKey } = await generateKeyPair('RS256', { extractable: true });
      const jwk = { ...(await exportJWK(privateKey)), kid: 'test-rs256', alg: 'RS256', use: 'sig' };
      const provider = new Provider(issuer, {
        clients: [{
          client_id: OIDC_CLIENT_ID, token_endpoint_auth_method: 'none', redirect_uris: redirectUris,
          post_logout_redirect_uris: redirectUris.map((u) => new URL('/console/signed-out', u).toString()),
          grant_types: ['authorization_code'], response_types: ['code'],
        }],
        jwks: { keys: [jwk] },
        cookies: { keys: ['enclave-test-cookie-key-0123456789'] },
        claims: { openid: ['sub'], profile: ['name', 'clearance', 'nationality', 'roles'] },
        // Claims in the ID token itself, as most enterprise providers are configured to do.
        conformIdTokenClaims: false,
        findAccount: async (_ctx, id) => {
          const u = byId.get(id);
          return u ? { accountId: id, claims: async () => claimsOf(u) } : undefined;
        },
        features: {
          devInteractions: { enabled: true },
          rpInitiatedLogout: { enabled: true },
          resourceIndicators: {
            enabled: true,
            defaultResource: async () => OIDC_AUDIENCE,
            useGrantedResource: async () => true,
            getResourceServerInfo: async () => ({ scope: 'openid profile', audience: OIDC_AUDIENCE, accessTokenFormat: 'jwt', accessTokenTTL: 600 }),
          },
        },
        extraTokenClaims: async (_ctx, token) => {
          const u = 'accountId' in token && typeof token.accountId === 'string' ? byId.get(token.accountId) : undefined;
          if (!u) return undefined;
          const { sub: _sub, ...rest } = claimsOf(u);
          return rest;
        },
        pkce: { required: () => true },
      });
      handler = provider.callback();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A cookie jar keyed by host, as a browser keeps it (cookies do not isolate by port). */
export class CookieJar {
  private readonly jars = new Map<string, Map<string, string>>();
  header(url: string): string {
    return [...(this.jars.get(new URL(url).hostname) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  take(url: string, res: Response): void {
    const host = new URL(url).hostname;
    const jar = this.jars.get(host) ?? new Map<string, string>();
    this.jars.set(host, jar);
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
  }
}

function formOf(html: string): { action: string; prompt: string } | undefined {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  const prompt = /name="prompt" value="([a-z]+)"/.exec(html)?.[1];
  return action && prompt ? { action: action.replaceAll('&amp;', '&'), prompt } : undefined;
}

/**
 * Follows an authorization request from `startUrl` as `login` without a browser: fills the
 * provider's login and consent forms and stops at the first URL `isCallback` accepts, without
 * fetching it. Returns that URL (carrying `code` and `state`).
 */
export async function authorizeByHttp(startUrl: string, login: string, isCallback: (url: string) => boolean, jar = new CookieJar()): Promise<string> {
  let url = startUrl;
  let init: RequestInit = {};
  for (let hop = 0; hop < 20; hop++) {
    if (isCallback(url)) return url;
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string> | undefined), cookie: jar.header(url) } });
    jar.take(url, res);
    const location = res.headers.get('location');
    if (location) {
      url = new URL(location, url).toString();
      init = {};
      continue;
    }
    const form = formOf(await res.text());
    if (!form) throw new Error(`authorization stopped at ${url} with HTTP ${res.status}`);
    const body = new URLSearchParams(form.prompt === 'login' ? { prompt: 'login', login, password: 'test' } : { prompt: form.prompt });
    url = new URL(form.action, url).toString();
    init = { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } };
  }
  throw new Error('authorization did not finish in 20 redirects');
}

/**
 * Signs in to the console at `gatewayUrl` as `login` without a browser and returns the gateway's
 * cookies, and where the callback sent the browser next.
 */
export async function signInByHttp(gatewayUrl: string, login: string, returnTo = '/console/ask'): Promise<{ cookie: string; location: string; status: number }> {
  const jar = new CookieJar();
  const start = `${gatewayUrl}/console/auth/login?return_to=${encodeURIComponent(returnTo)}`;
  const callback = await authorizeByHttp(start, login, (u) => u.startsWith(`${gatewayUrl}/console/auth/callback`), jar);
  const res = await fetch(callback, { redirect: 'manual', headers: { cookie: jar.header(callback) } });
  jar.take(callback, res);
  return { cookie: jar.header(gatewayUrl), location: res.headers.get('location') ?? '', status: res.status };
}
