import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { expect, inject } from 'vitest';

import { MANAGEMENT_TOKEN } from './management.js';
import { CHROMIUM_PATH } from './service-urls.js';

/** axe-core's browser build, evaluated in each page that is checked. */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Whether the browser suites can run (Chromium installed); under CI=true its absence fails the run instead. */
export function chromiumAvailable(): boolean {
  return inject('chromiumAvailable');
}

/** Debian's Chromium, headless. */
export async function launchChromium(): Promise<Browser> {
  // Root (CI containers) needs --no-sandbox; nothing but our own pages is loaded.
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox'] });
}

/** A browser context that collects Content-Security-Policy violations and script errors of its pages. */
export async function strictContext(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const problems: string[] = [];
  context.on('page', (page) => {
    page.on('console', (message) => {
      // Answers of 4xx (a refused sign-in) are logged too; only policy violations and script errors count.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        problems.push(message.text());
      }
    });
    page.on('pageerror', (error) => problems.push(error.message));
  });
  return { context, problems };
}

/** Signs in through the form, as an operator does. */
export async function signIn(page: Page, baseUrl: string, token = MANAGEMENT_TOKEN): Promise<void> {
  await page.goto(`${baseUrl}/admin/auth/login`);
  await page.fill('#management_token', token);
  await page.click('button[type=submit]');
}

/** Runs axe-core on the page and fails on any serious or critical violation, naming each. */
export async function expectAccessible(page: Page): Promise<void> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(AXE_SOURCE);
  // A string, run in the page: its DOM types are not this program's.
  const found = await page.evaluate<
    AxeViolation[]
  >(`axe.run().then((result) => result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((node) => ({ target: node.target.map(String) })),
  })))`);
  const violations = found
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`,
    );
  expect(violations, `accessibility of ${page.url()}`).toEqual([]);
}

interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { readonly target: readonly string[] }[];
}
