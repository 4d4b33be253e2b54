/**
 * Headless Chromium for the console's end-to-end tests: Debian's chromium package driven by
 * playwright-core (no downloaded browser). One launch per test file; each user gets a context.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(import.meta.dirname, '..', '..', 'docs', 'screenshots');
export const NO_CHROMIUM = 'Chromium not installed: .ci/run installs it (apt package "chromium")';

/** The browser, or undefined when Chromium is not installed here (the caller skips). */
export async function launchBrowser(): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM_PATH)) return undefined;
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A fresh context (its own cookies) with a desktop viewport. */
export function newUserContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
}

/**
 * Opens `path` on the console, is sent to the (demo) provider's sign-in page, picks `login` there,
 * and waits until the console page has loaded its session.
 */
export async function signInInBrowser(page: Page, gatewayUrl: string, login: string, path = '/console/ask'): Promise<void> {
  await page.goto(`${gatewayUrl}${path}`);
  await page.locator(`button[name="account"][value="${login}"]`).click();
  await page.waitForURL(`${gatewayUrl}${path}`, { timeout: 10_000 });
  await page.locator('#banner-top').waitFor();
}

/**
 * Takes a full-page PNG. With ENCLAVE_SCREENSHOTS=1 it replaces the README's copy under
 * docs/screenshots/; otherwise it goes to the temp directory, so a test run leaves the tree clean.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.ENCLAVE_SCREENSHOTS === '1' ? SCREENSHOT_DIR : join(tmpdir(), 'enclave-screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}
