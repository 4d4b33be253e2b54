/**
 * `npm start` as a newcomer meets it: the real `enclave serve` process on demo/enclave.yaml (free
 * ports instead of 8080, 8081 and the tool server's 9000), its demo identity provider, sign-in by
 * picking a demo user, the console's status page showing the shipped guard weights' digest, and
 * the README's two-person walk-through: the CLI enrols the approvers, the example tool server
 * (`npm run tool-server`) obeys the receipt once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'otplib';
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

/** Starts `node args` in the repository and resolves with the first match of `ready` in its output. */
function startProcess(args: string[], ready: RegExp, output: string[]): { child: ChildProcess; match: Promise<RegExpExecArray> } {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const match = new Promise<RegExpExecArray>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output.push(chunk);
      const m = ready.exec(output.join(''));
      if (m) resolve(m);
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}:\n${output.join('')}`)));
  });
  return { child, match };
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

describe('npm start (demo/enclave.yaml)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'enclave-demo-'));
  const output: string[] = [];
  const config = join(dir, 'enclave.yaml');
  let child: ChildProcess | undefined;
  let tools: ChildProcess | undefined;
  let url: string;
  let toolPort: number;
  let browser: Browser | undefined;

  before(async () => {
    const idpPort = await freePort();
    toolPort = await freePort();
    const text = readFileSync(new URL('demo/enclave.yaml', ROOT), 'utf8')
      .replace('identity_provider: { port: 8081 }', `identity_provider: { port: ${idpPort} }`)
      .replace('issuer: http://127.0.0.1:8081', `issuer: http://127.0.0.1:${idpPort}`)
      .replace('endpoint: http://127.0.0.1:9000/fire_mission', `endpoint: http://127.0.0.1:${toolPort}/fire_mission`)
      .replace(/^data_dir: \.\/data /m, `data_dir: ${join(dir, 'data')} `);
    for (const moved of [`127.0.0.1:${idpPort}`, `127.0.0.1:${toolPort}`, `data_dir: ${join(dir, 'data')}`]) {
      assert.ok(text.includes(moved), `the demo configuration no longer has what the test moves (${moved})`);
    }
    writeFileSync(config, text);
    const started = startProcess(['bin/enclave.js', 'serve', '--config', config, '--port', '0'], /Enclave listening on (\S+)/, output);
    child = started.child;
    url = (await started.match)[1]!;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await stop(tools);
    await stop(child);
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

  it('the two-person walk-through: alice asks for a fire mission, carol and dave approve with TOTP, the tool server obeys once', async () => {
    const cli = (...args: string[]) => execFileSync(process.execPath, ['bin/enclave.js', ...args, '--config', config], { cwd: ROOT, encoding: 'utf8' });
    const keyOf = (user: string) => new RegExp(`^  ${user} +.+ (enc_[A-Za-z0-9_-]+)$`, 'm').exec(output.join(''))?.[1] ?? assert.fail(`no demo key printed for ${user}`);
    const secretOf = (user: string) => new URL(cli('mfa', 'enroll', '--user', user).trim()).searchParams.get('secret') ?? assert.fail('no secret');
    const secrets = { carol: secretOf('carol'), dave: secretOf('dave') };
    writeFileSync(join(dir, 'receipt-keys.json'), cli('receipt', 'keys'));
    const toolOutput: string[] = [];
    const started = startProcess(['--import', 'tsx', 'examples/tool-server.ts', '--keys', join(dir, 'receipt-keys.json'), '--port', String(toolPort)], /tool server on /, toolOutput);
    tools = started.child;
    await started.match;

    const post = (user: string, path: string, body: unknown) => fetch(`${url}${path}`, {
      method: 'POST', headers: { authorization: `Bearer ${keyOf(user)}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    const direct = (headers: Record<string, string>) => fetch(`http://127.0.0.1:${toolPort}/fire_mission`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ target: 'AB1234', rounds: 2 }),
    });
    assert.equal((await direct({})).status, 403, 'the tool server obeys nobody without a receipt');
    assert.equal((await direct({ 'enclave-receipt': 'eyJhbGciOiJFZERTQSJ9.e30.AAAA' })).status, 403, 'nor a forged one');
    const asked = await post('alice', '/v1/actions', { tool: 'fire_mission', arguments: { target: 'AB1234', rounds: 2 }, justification: 'Counter-battery fire at AB1234' });
    assert.equal(asked.status, 202);
    const id = ((await asked.json()) as { id: string }).id;
    assert.equal((await post('sam', '/v1/actions', { tool: 'fire_mission', arguments: { target: 'AB1234', rounds: 200 } })).status, 400, 'arguments outside the schema');
    assert.equal((await post('carol', `/v1/approvals/${id}/approve`, { reason: 'confirmed', totp: '000000' })).status, 403, 'a wrong code');
    assert.equal((await post('carol', `/v1/approvals/${id}/approve`, { reason: 'confirmed', totp: await generate({ secret: secrets.carol }) })).status, 200);
    assert.equal(toolOutput.join('').includes('EXECUTED'), false, 'one approval is not enough');
    const second = await post('dave', `/v1/approvals/${id}/approve`, { reason: 'concur', totp: await generate({ secret: secrets.dave }) });
    assert.equal(second.status, 200);
    const record = (await second.json()) as { status: string };
    assert.equal(record.status, 'executed');
    // The tool server prints before it answers, but its stdout reaches this process on its own pipe.
    await new Promise<void>((resolve) => {
      const check = () => { if (toolOutput.join('').includes('EXECUTED')) { tools!.stdout!.off('data', check); resolve(); } };
      tools!.stdout!.on('data', check);
      check();
    });
    const executed = toolOutput.join('').match(/^EXECUTED .*$/gm) ?? [];
    assert.deepEqual(executed, [`EXECUTED fire_mission {"rounds":2,"target":"AB1234"}: requested by alice, approved by carol and dave (action ${id})`]);
  });
});
