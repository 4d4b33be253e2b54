/**
 * Two approvers, each in their own browser context, approve a held kinetic action with TOTP
 * codes on the console's Approvals page; the tool runs exactly once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startConsoleGateway, type ConsoleGateway } from '../support/console.ts';
import { launchBrowser, newUserContext, NO_CHROMIUM, screenshot, signInInBrowser } from '../support/browser.ts';
import { startMockTool, type MockTool } from '../support/mock-tool.ts';
import { testTools, totpAt } from '../support/approvals.ts';

async function approve(page: Page, id: string, secret: string, reason: string): Promise<string> {
  const card = page.locator(`[data-testid="approval"][data-id="${id}"]`);
  await card.locator('input[name="reason"]').fill(reason);
  await card.locator('input[name="totp"]').fill(await totpAt(secret, new Date()));
  await card.locator('button.approve').click();
  // The page-wide notice outlives the card, which leaves the queue once the request has run.
  const notice = page.locator('#approvals-notice');
  await notice.filter({ hasText: `Approved ${id}` }).waitFor();
  return (await notice.textContent()) ?? '';
}

describe('approvals in Chromium', () => {
  let browser: Browser | undefined;
  let gw: ConsoleGateway;
  let tool: MockTool;

  before(async () => {
    browser = await launchBrowser();
    if (!browser) return;
    tool = await startMockTool();
    gw = await startConsoleGateway({ tools: testTools((name) => tool.endpoint(name)) });
  });
  after(async () => {
    await browser?.close();
    await gw?.close();
    await tool?.close();
  });

  it('two approvers approve a held kinetic action with TOTP and it executes once', async (t) => {
    if (!browser) return t.skip(NO_CHROMIUM);
    const secrets = { carol: await gw.enrollTotp('carol'), dave: await gw.enrollTotp('dave') };
    const held = await gw.approvals.requestAction(await gw.principalOf('olga'), {
      tool: 'strike', arguments: { target: 'AB1234', rounds: 2 }, justification: 'Counter-battery fire on the confirmed launcher at grid AB1234', requestId: null,
    });
    assert.equal(held.kind, 'held');
    const id = held.kind === 'held' ? held.record.id : '';

    const carol = await (await newUserContext(browser)).newPage();
    const dave = await (await newUserContext(browser)).newPage();
    await signInInBrowser(carol, gw.url, 'carol', '/console/approvals');
    await signInInBrowser(dave, gw.url, 'dave', '/console/approvals');
    for (const page of [carol, dave]) {
      const card = page.locator(`[data-testid="approval"][data-id="${id}"]`);
      await card.waitFor();
      assert.equal(await card.locator('[data-testid="requester"]').textContent(), 'olga');
      assert.match(await card.locator('[data-testid="arguments"]').textContent() ?? '', /"target": "AB1234"/);
      assert.match(await card.locator('[data-testid="policy"]').textContent() ?? '', /\S/);
      assert.match(await card.locator('[data-testid="time-left"]').textContent() ?? '', /\d+ (min|s)/);
    }
    await screenshot(carol, 'approvals');

    assert.match(await approve(carol, id, secrets.carol, 'Target confirmed by two sources'), /now pending/);
    assert.equal(tool.calls('strike'), 0, 'one approval does not run a kinetic tool');
    // Live update: Dave's page shows Carol's approval without a reload.
    await dave.locator(`[data-testid="approval"][data-id="${id}"] [data-testid="votes"]`).filter({ hasText: /^1 of 2$/ }).waitFor();
    assert.match(await approve(dave, id, secrets.dave, 'Concur; no collateral risk identified'), /now (approved|executing|executed)/);

    const settled = await gw.approvals.wait(await gw.principalOf('olga'), id, 10);
    assert.equal(settled?.status, 'executed');
    assert.equal(tool.calls('strike'), 1);
    // Both queues drop the request once it has run.
    for (const page of [carol, dave]) await page.locator(`[data-testid="approval"][data-id="${id}"]`).waitFor({ state: 'detached' });
    assert.equal(tool.calls('strike'), 1);
  });
});
