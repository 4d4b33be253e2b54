/**
 * A real OpenID provider on loopback for tests: the demo identity provider (oidc-provider from npm,
 * src/identity/demo-provider.ts) with test users whose claims carry clearance, nationality and
 * roles (or leave them out), a public client that must use PKCE, and RFC 9068 JWT access tokens.
 * Its sign-in page (pick a user) is driven either by a browser or by signInByHttp below.
 */
import { startDemoIdentityProvider, type DemoAccount, type DemoIdentityProvider } from '../../src/identity/index.ts';

export type OidcTestUser = DemoAccount;
export type TestOidcProvider = DemoIdentityProvider;

export const OIDC_CLIENT_ID = 'enclave-console';
export const OIDC_AUDIENCE = 'urn:enclave:api';

/** Starts the provider on a free port (so the issuer URL is known); configure() attaches the client's callbacks. */
export function startOidcProvider(users: readonly OidcTestUser[]): Promise<TestOidcProvider> {
  return startDemoIdentityProvider({ accounts: users, port: 0, clientId: OIDC_CLIENT_ID, audience: OIDC_AUDIENCE, keyId: 'test-rs256' });
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

/** The demo provider's sign-in page: a form whose buttons name the users. */
function signInFormOf(html: string): string | undefined {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  return action && html.includes('name="account"') ? action.replaceAll('&amp;', '&') : undefined;
}

/**
 * Follows an authorization request from `startUrl` as `login` without a browser: picks the user
 * on the provider's sign-in page and stops at the first URL `isCallback` accepts, without
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
    const action = signInFormOf(await res.text());
    if (!action) throw new Error(`authorization stopped at ${url} with HTTP ${res.status}`);
    const body = new URLSearchParams({ account: login });
    url = new URL(action, url).toString();
    init = { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } };
  }
  throw new Error('authorization did not finish in 20 redirects');
}

/**
 * Signs in to the console at `gatewayUrl` as `login` without a browser and returns the gateway's
 * cookies, and where the callback sent the browser next.
 */
export async function signInByHttp(gatewayUrl: string, login: string, returnTo = '/console/ask', options: { fresh?: boolean } = {}): Promise<{ cookie: string; location: string; status: number }> {
  const jar = new CookieJar();
  const start = `${gatewayUrl}/console/auth/login?${options.fresh ? 'fresh=1&' : ''}return_to=${encodeURIComponent(returnTo)}`;
  const callback = await authorizeByHttp(start, login, (u) => u.startsWith(`${gatewayUrl}/console/auth/callback`), jar);
  const res = await fetch(callback, { redirect: 'manual', headers: { cookie: jar.header(callback) } });
  jar.take(callback, res);
  return { cookie: jar.header(gatewayUrl), location: res.headers.get('location') ?? '', status: res.status };
}
