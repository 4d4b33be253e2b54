/**
 * DEMO ONLY: the OpenID provider `demo.identity_provider` asks `enclave serve` to start beside the
 * gateway, so the demo's console can be signed in to without a real identity provider. Its
 * accounts are the configuration's users and it asks for no password: it says so loudly.
 */
import { startDemoIdentityProvider, type DemoIdentityProvider } from '../identity/index.ts';
import type { EnclaveConfig } from './config.ts';
import { ServerError } from './errors.ts';

const CALLBACK = '/console/auth/callback';
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '127.0.0.1', '::1', 'localhost']);

/** Starts the provider the configuration asks for (config.ts checked that `oidc` points at it), or nothing. */
export async function startConfiguredDemoIdentity(config: EnclaveConfig): Promise<DemoIdentityProvider | undefined> {
  const demo = config.demo.identity_provider;
  if (!demo || !config.oidc) return undefined;
  try {
    return await startDemoIdentityProvider({
      accounts: config.users, port: demo.port, clientId: config.oidc.client_id,
      audience: config.oidc.audience ?? config.oidc.client_id, claims: config.oidc.claims,
    });
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'the port is in use' : (err as Error).message;
    throw new ServerError('START_FAILED', `demo.identity_provider: cannot listen on 127.0.0.1:${demo.port}: ${why}`, { cause: err });
  }
}

/** The console callbacks a browser on this machine may use: the listening address, 127.0.0.1 and localhost. */
export function consoleCallbackUris(config: EnclaveConfig, port: number): string[] {
  const scheme = config.server.tls ? 'https' : 'http';
  const hosts = new Set(['127.0.0.1', 'localhost', '[::1]']);
  const host = config.server.host;
  if (!WILDCARD_HOSTS.has(host)) hosts.add(host.includes(':') ? `[${host}]` : host);
  const uris = [...hosts].map((h) => `${scheme}://${h}:${port}${CALLBACK}`);
  if (config.oidc?.redirect_uri) uris.push(config.oidc.redirect_uri);
  return uris;
}

/** The warning printed at every start while the demo provider runs. */
export function demoIdentityWarning(issuer: string, consoleUrl: string): string[] {
  const bar = '!'.repeat(78);
  return [
    bar,
    `!! DEMO IDENTITY PROVIDER at ${issuer}: FOR DEMONSTRATION ONLY.`,
    '!! Anyone who can open it signs in as any configured user, with no password.',
    '!! Before real data: remove demo.identity_provider and point oidc: at your real provider.',
    bar,
    `Console: ${consoleUrl}/console (sign in by picking a demo user)`,
  ];
}
