/** HTTPS and mutual TLS: with a client CA configured, a client without a valid certificate cannot connect. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway, type TestGateway } from '../../test/support/gateway.ts';

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'ignore' });
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with the openssl CLI. */
function makePki(dir: string): void {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=Test CA'], dir);
  for (const [name, subject, ext] of [['server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1'], ['client', '/CN=alice', 'extendedKeyUsage=clientAuth']] as const) {
    openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject, '-addext', ext], dir);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', '-copy_extensions', 'copy'], dir);
  }
}

function get(url: string, options: https.RequestOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    https.get(url, options, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', reject);
  });
}

describe('TLS', () => {
  let dir: string;
  let gw: TestGateway;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'enclave-tls-'));
    makePki(dir);
    gw = await startTestGateway(`server:\n  host: 127.0.0.1\n  port: 0\n  tls: { cert: ${join(dir, 'server.crt')}, key: ${join(dir, 'server.key')}, client_ca: ${join(dir, 'ca.crt')}, require_client_cert: true }\nmodels:\n  - { id: q, backend: extractive }\n`);
  });
  after(async () => {
    await gw?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS to a client presenting a certificate from the configured CA', async () => {
    assert.match(gw.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = readFileSync(join(dir, 'ca.crt'));
    const status = await get(`${gw.url}/healthz`, { ca, cert: readFileSync(join(dir, 'client.crt')), key: readFileSync(join(dir, 'client.key')) });
    assert.equal(status, 200);
  });

  it('refuses the TLS handshake without a client certificate', async () => {
    const ca = readFileSync(join(dir, 'ca.crt'));
    await assert.rejects(get(`${gw.url}/healthz`, { ca }));
  });
});
