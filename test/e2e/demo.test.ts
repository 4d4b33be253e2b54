/**
 * `npm start` as a newcomer meets it: the real `enclave serve` process on demo/enclave.yaml (free
 * ports instead of 8080 and 8081), its demo identity provider, sign-in by picking a demo user, and
 * the console's status page showing the shipped guard weights' digest.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, newUserContext, NO_CHROMIUM } from '../support/browser.ts';
import { signInByHttp } from '../support/oidc.ts';

const ROOT = new URL('../../', import.meta.url);
const GUARDS_VERSION = `sha256:${createHash('sha256').update(readFileSync(new URL('src/guards/model/weights.bin', ROOT))).digest('hex')}`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts `enclave serve` and resolves with its URL once it says it is listening. */
function serve(args: string[], output: string[]): { child: ChildProcess; url: Promise<string> } {
  const child = spawn(process.execPath, ['bin/enclave.js', 'serve', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output.push(chunk);
      const m = /Enclave listening on (\S+)/.exec(output.join(''));
      if (m) resolve(m[1]!);
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
    child.once('exit', (code) => reject(new Error(`enclave serve exited with ${code}:\n${output.join('')}`)));
  });
  return { child, url };
}

describe('npm start (demo/enclave.yaml)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'enclave-demo-'));
  const output: string[] = [];
  let child: ChildProcess | undefined;
  let url: string;
  let browser: Browser | undefined;

  before(async () => {
    const idpPort = await freePort();
    const config = readFileSync(new URL('demo/enclave.yaml', ROOT), 'utf8')
      .replace('identity_provider: { port: 8081 }', `identity_provider: { port: ${idpPort} }`)
      .replace('issuer: http://127.0.0.1:8081', `issuer: http://127.0.0.1:${idpPort}`);
    assert.ok(config.includes(`127.0.0.1:${idpPort}`), 'the demo configuration still has its identity provider on 8081');
    writeFileSync(join(dir, 'enclave.yaml'), config);
    const started = serve(['--config', join(dir, 'enclave.yaml'), '--data', join(dir, 'data'), '--port', '0'], output);
    child = started.child;
    url = await started.url;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('warns loudly that its identity provider is for demonstration only, and says where the console is', () => {
    const text = output.join('');
    assert.match(text, /DEMO IDENTITY PROVIDER at http:\/\/127\.0\.0\.1:\d+: FOR DEMONSTRATION ONLY/);
    assert.match(text, /Console: http:\/\/127\.0\.0\.1:\d+\/console/);
  });

  it('signs a demo user in through its own provider; the status API carries the guards\' weights digest', async () => {
    const { cookie, status } = await signInByHttp(url, 'audrey', '/console/status');
    assert.equal(status, 303);
    const me = await (await fetch(`${url}/console/api/session`, { headers: { cookie } })).json() as { user: { id: string; roles: string[] }; banner: string };
    assert.deepEqual([me.user.id, me.user.roles, me.banner], ['audrey', ['auditor'], 'SECRET']);
    const s = await (await fetch(`${url}/console/api/status`, { headers: { cookie } })).json() as { versions: Record<string, string> };
    assert.equal(s.versions.guards, GUARDS_VERSION);
    assert.match(s.versions.policy ?? '', /^sha256:[0-9a-f]{64}$/);
  });

  it('in a browser: the sign-in page lists the demo users, and picking one opens the console', async (t) => {
    if (!browser) return t.skip(NO_CHROMIUM);
    const context = await newUserContext(browser);
    const page = await context.newPage();
    await page.goto(`${url}/console/status`);
    const users = await page.locator('button[name="account"]').evaluateAll((bs) => bs.map((b) => (b as HTMLButtonElement).value));
    assert.deepEqual(users, ['alice', 'sam', 'gwen', 'uma', 'carol', 'dave', 'audrey', 'adam']);
    assert.match(await page.locator('[role="alert"]').textContent() ?? '', /DEMO IDENTITY PROVIDER/);
    await page.locator('button[value="alice"]').click();
    await page.waitForURL(`${url}/console/status`);
    assert.equal(await page.locator('#banner-top').textContent(), 'TOP SECRET//SI/TK');
    await page.locator('[data-testid="versions"]').filter({ hasText: GUARDS_VERSION }).waitFor();
    await context.close();
  });
});
