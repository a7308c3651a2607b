import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { PROJECT_ROOT, testEnv } from './test-env';

// Debian's chromium (scripts/provision.sh installs it), driven by puppeteer-core: nothing downloads
// a browser. CHROMIUM_PATH overrides where it is.
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Screenshots of each page, kept as test artifacts (git-ignored).
export const ARTIFACTS = join(PROJECT_ROOT, 'test-artifacts', 'console');

export function launchBrowser(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  // --no-sandbox: CI runs as root, where chromium refuses its sandbox.
  return puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

export async function login(browser: Browser, operator: { username: string; password: string }, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport(viewport);
  await page.goto(`${testEnv.adminUrl}/console/login`);
  await page.waitForSelector('input[name=username]');
  await page.type('input[name=username]', operator.username);
  await page.type('input[name=password]', operator.password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  await page.waitForSelector('main[data-page]');
  return page;
}

export async function openPage(page: Page, path: string): Promise<void> {
  await page.goto(`${testEnv.adminUrl}/console/#/${path}`);
  await page.waitForSelector(`main[data-page=${path}]`);
}

export const screenshot = (page: Page, name: string): Promise<unknown> => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
