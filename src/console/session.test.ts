/** Secure cookies and HSTS: on over HTTPS, including HTTPS that a trusted proxy terminated, and only then. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyRequest } from 'fastify';
import { startConsoleGateway, type ConsoleGateway } from '../../test/support/console.ts';
import { isSecureRequest, type SessionPolicy } from './session.ts';

const POLICY: SessionPolicy = { idleMs: 60_000, absoluteMs: 3_600_000, tls: false };
const request = (protocol: 'http' | 'https') => ({ protocol }) as FastifyRequest;

async function login(url: string, headers: Record<string, string> = {}): Promise<{ cookie: string; hsts: string | null }> {
  const res = await fetch(`${url}/console/auth/login`, { redirect: 'manual', headers });
  return { cookie: res.headers.get('set-cookie') ?? '', hsts: res.headers.get('strict-transport-security') };
}

describe('isSecureRequest', () => {
  it('follows request.protocol, and is always on when Enclave terminates TLS', () => {
    assert.equal(isSecureRequest(request('https'), POLICY), true);
    assert.equal(isSecureRequest(request('http'), POLICY), false);
    assert.equal(isSecureRequest(request('http'), { ...POLICY, tls: true }), true);
  });
});

describe('console cookies behind a TLS-terminating proxy', () => {
  let proxied: ConsoleGateway;
  let direct: ConsoleGateway;
  before(async () => {
    proxied = await startConsoleGateway({ trustProxy: true });
    direct = await startConsoleGateway();
  });
  after(async () => {
    await proxied?.close();
    await direct?.close();
  });

  it('with server.trust_proxy, X-Forwarded-Proto: https gets __Host- Secure cookies and HSTS', async () => {
    const { cookie, hsts } = await login(proxied.url, { 'x-forwarded-proto': 'https' });
    assert.match(cookie, /^__Host-enclave_login=[^;]+;.*Path=\/;.*HttpOnly;.*Secure;.*SameSite=Lax/i);
    assert.match(hsts ?? '', /^max-age=\d+; includeSubDomains$/);
  });

  it('with server.trust_proxy, a request the proxy forwarded from plain HTTP gets neither', async () => {
    for (const headers of [{}, { 'x-forwarded-proto': 'http' }] as Record<string, string>[]) {
      const { cookie, hsts } = await login(proxied.url, headers);
      assert.match(cookie, /^enclave_login=/);
      assert.doesNotMatch(cookie, /Secure/i);
      assert.equal(hsts, null);
    }
  });

  it('without server.trust_proxy, a client claiming X-Forwarded-Proto: https gets neither', async () => {
    const { cookie, hsts } = await login(direct.url, { 'x-forwarded-proto': 'https' });
    assert.match(cookie, /^enclave_login=/);
    assert.doesNotMatch(cookie, /Secure/i);
    assert.equal(hsts, null);
  });
});
