/**
 * The web console in headless Chromium against a gateway started as `enclave serve` starts one
 * (startGateway, from a configuration whose `oidc:` names a real OpenID provider):
 * an analyst's streamed, marked answer; an UNCLASSIFIED reader who never receives a SECRET
 * title; the status and corpus pages; an auditor checking an inclusion proof in the browser;
 * and the message a page shows when the gateway cannot be reached. Screenshots go to docs/screenshots/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser, Page, Response } from 'playwright-core';
import { SECRET_TITLE, startConsoleGateway, type ConsoleGateway } from '../support/console.ts';
import { launchBrowser, newUserContext, NO_CHROMIUM, screenshot, signInInBrowser } from '../support/browser.ts';

const QUESTION = 'What is the state of the harbour fuel depot?';
/** The guards' version: the SHA-256 of the weights the product ships. */
const GUARDS_VERSION = `sha256:${createHash('sha256').update(readFileSync(new URL('../../src/guards/model/weights.bin', import.meta.url))).digest('hex')}`;

/** Counts the pieces of text appended to an answer while it streams. */
async function watchStreaming(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { pieces: number };
    w.pieces = 0;
    new MutationObserver((records) => {
      for (const r of records) if ((r.target as Element).classList?.contains('answer-text')) w.pieces += r.addedNodes.length;
    }).observe(document.getElementById('answers')!, { childList: true, subtree: true });
  });
}

/**
 * Keeps a copy of every answer stream the page receives. Chromium may drop a streamed body
 * before the DevTools protocol asks for it, so the copy is taken in the page with Response.clone().
 */
async function recordAnswerStreams(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { askStreams: Promise<string>[] };
    w.askStreams = [];
    const original = window.fetch.bind(window);
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const response = await original(input, init);
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (url.endsWith('/console/api/ask')) w.askStreams.push(response.clone().text());
      return response;
    };
  });
}

async function askByKeyboard(page: Page, question: string): Promise<void> {
  await page.locator('#question').focus();
  await page.keyboard.type(question);
  await page.keyboard.press('Control+Enter');
  await page.locator('[data-testid="answer"][data-state="done"]').first().waitFor({ timeout: 15_000 });
}

describe('console in Chromium', () => {
  let browser: Browser | undefined;
  let gw: ConsoleGateway;

  before(async () => {
    browser = await launchBrowser();
    if (browser) gw = await startConsoleGateway();
  });
  after(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('an analyst signs in, asks with the keyboard and sees a streamed, marked answer with cited portion marks', async (t) => {
    if (!browser) return t.skip(NO_CHROMIUM);
    const context = await newUserContext(browser);
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
    await signInInBrowser(page, gw.url, 'ana');
    assert.equal(await page.locator('#banner-top').textContent(), 'TOP SECRET//SI/TK');
    assert.equal(await page.locator('#banner-bottom').textContent(), 'TOP SECRET//SI/TK');
    await watchStreaming(page);
    const stream = page.waitForResponse((r) => r.url().endsWith('/console/api/ask'));
    await askByKeyboard(page, QUESTION);
    assert.match((await stream).headers()['content-type'] ?? '', /^text\/event-stream/);
    const answer = page.locator('[data-testid="answer"]').first();
    assert.equal(await answer.locator('[data-testid="answer-banner-top"]').textContent(), 'SECRET');
    assert.equal(await answer.locator('[data-testid="answer-banner-bottom"]').textContent(), 'SECRET');
    assert.ok(await page.evaluate(() => (window as unknown as { pieces: number }).pieces) >= 2, 'the answer arrived in pieces');
    assert.match(await answer.locator('[data-testid="answer-text"]').textContent() ?? '', /harbour fuel depot/i);
    const marks = await answer.locator('[data-testid="portion-mark"]').allTextContents();
    assert.ok(marks.includes('(S)') && marks.includes('(U)'), `portion marks: ${marks.join(' ')}`);
    assert.ok((await answer.locator('[data-testid="citation"]').allTextContents()).some((c) => c.includes(SECRET_TITLE)));
    await screenshot(page, 'ask');

    await page.goto(`${gw.url}/console/status`);
    await page.locator('[data-testid="chart"] canvas').first().waitFor();
    assert.equal(await page.locator('[data-testid="chart"]').count(), 2);
    assert.match(await page.locator('[data-testid="models"]').textContent() ?? '', /analyst.*TOP SECRET\/\/SI\/TK\/\/NOFORN/);
    const versions = await page.locator('[data-testid="versions"]').textContent() ?? '';
    assert.match(versions, /sha256:[0-9a-f]{64}/);
    assert.ok(versions.includes(GUARDS_VERSION), `the status page shows the shipped guard weights' digest: ${versions}`);
    await screenshot(page, 'status');
    assert.deepEqual(violations, [], 'the console runs under its CSP without violations');
    await context.close();
  });

  it('an UNCLASSIFIED user never sees a SECRET title in the page or in the network traffic', async (t) => {
    if (!browser) return t.skip(NO_CHROMIUM);
    const context = await newUserContext(browser);
    const page = await context.newPage();
    const bodies: Promise<string>[] = [];
    page.on('response', (r: Response) => { bodies.push(r.text().catch(() => '')); });
    await recordAnswerStreams(page);
    await signInInBrowser(page, gw.url, 'uma');
    assert.equal(await page.locator('#banner-top').textContent(), 'UNCLASSIFIED');
    await askByKeyboard(page, QUESTION);
    const answer = page.locator('[data-testid="answer"]').first();
    assert.equal(await answer.locator('[data-testid="answer-banner-top"]').textContent(), 'UNCLASSIFIED');
    const streams = await page.evaluate(() => Promise.all((window as unknown as { askStreams: Promise<string>[] }).askStreams));
    assert.equal(streams.length, 1, 'one answer stream was recorded');
    const stream = streams[0] ?? '';
    assert.ok(stream.includes('event: done'), 'the answer stream was captured whole');
    assert.match(await answer.locator('[data-testid="withheld"]').textContent() ?? '', /^[1-9]\d* matching portions? (was|were) withheld/);
    const pages = [await page.content()];
    await page.goto(`${gw.url}/console/corpus`);
    await page.locator('[data-testid="documents"]').waitFor();
    assert.match(await page.locator('[data-testid="withheld-documents"]').textContent() ?? '', /^1 more document is above your clearance/);
    pages.push(await page.content());
    await screenshot(page, 'corpus');
    await page.goto(`${gw.url}/console/status`);
    await page.locator('[data-testid="models"]').waitFor();
    pages.push(await page.content());
    const traffic = [stream, ...await Promise.all(bodies)];
    for (const text of [...pages, ...traffic]) {
      assert.ok(!text.includes(SECRET_TITLE), 'the SECRET title was sent to an UNCLASSIFIED reader');
      assert.ok(!text.includes('NIGHTJAR'), 'SECRET content was sent to an UNCLASSIFIED reader');
    }
    await context.close();
  });

  it('an auditor opens an entry and its inclusion proof verifies in the browser; then verifies everything', async (t) => {
    if (!browser) return t.skip(NO_CHROMIUM);
    await gw.audit.checkpoint();
    const context = await newUserContext(browser);
    const page = await context.newPage();
    await signInInBrowser(page, gw.url, 'audrey', '/console/audit');
    await page.locator('[data-testid="audit-entries"]').waitFor();
    await page.locator('[data-testid="audit-entries"] button').first().click();
    const result = page.locator('[data-testid="inclusion-result"]');
    await result.waitFor();
    assert.equal(await result.getAttribute('data-verified'), 'true', await result.textContent() ?? '');
    assert.match(await page.locator('[data-testid="checkpoint-signatures"]').textContent() ?? '', /^verified by the gateway/);
    // And again by the page itself, against the keys the gateway publishes (Ed25519 and ML-DSA-87).
    const own = page.locator('[data-testid="checkpoint-signatures-browser"]');
    await own.waitFor();
    assert.equal(await own.getAttribute('data-verified'), 'true', await own.textContent() ?? '');
    await page.locator('#verify-all').click();
    await page.locator('[data-testid="verify-all-result"].ok').waitFor({ timeout: 15_000 });
    assert.match(await page.locator('[data-testid="verify-all-result"]').textContent() ?? '', /^All \d+ entries verified in this browser/);
    await screenshot(page, 'audit');
    await context.close();
  });

  it('an administrator ingests a folder from the corpus page and watches its progress', async (t) => {
    if (!browser) return t.skip(NO_CHROMIUM);
    const context = await newUserContext(browser);
    const page = await context.newPage();
    await signInInBrowser(page, gw.url, 'adam', '/console/corpus');
    await page.locator('#ingest-path').fill(gw.inboxDir);
    await page.locator('#ingest-path').press('Enter');
    await page.locator('#ingest-result').filter({ hasText: /^Done: 1 documents/ }).waitFor();
    assert.equal(await page.locator('#ingest-progress').getAttribute('data-done'), '1');
    await page.locator('[data-testid="documents"]').filter({ hasText: 'Coastal weather outlook' }).waitFor();
    assert.match(await page.locator('[data-testid="documents"]').textContent() ?? '', /Operation NIGHTJAR/);
    await screenshot(page, 'corpus-admin');
    await context.close();
  });

  it('says clearly that the gateway is unavailable when it cannot be reached', async (t) => {
    if (!browser) return t.skip(NO_CHROMIUM);
    const context = await newUserContext(browser);
    const page = await context.newPage();
    await signInInBrowser(page, gw.url, 'ana', '/console/status');
    await page.route('**/console/api/**', (route) => route.abort('connectionrefused'));
    await page.reload();
    const line = page.locator('#status-line.unavailable');
    await line.waitFor();
    assert.match(await line.textContent() ?? '', /The gateway is unavailable/);
    await context.close();
  });
});
