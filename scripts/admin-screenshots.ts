/**
 * Takes the admin UI screenshots of the README (`npm run docs:screenshots`): starts a gateway on a temporary
 * SQLite file with demo data, signs in with Chromium and writes PNGs into docs/.
 *
 * Needs Chromium at /usr/bin/chromium (Debian's `chromium` package).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import pino from 'pino';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

import { resolveConfig } from '../src/config/index.js';
import { createApiKeyCipher } from '../src/core/index.js';
import type { Clock } from '../src/core/index.js';
import { startGateway } from '../src/server/index.js';
import type { Gateway } from '../src/server/index.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import { seedDemoData } from './lib/demo-seed.js';

const MANAGEMENT_TOKEN = 'docs-management-token-7f3c9a1e5b';
const CHROMIUM = '/usr/bin/chromium';
const DOCS = fileURLToPath(new URL('../docs/', import.meta.url));
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
/** Longer pages are cut here, so that the README images stay readable. */
const MAX_HEIGHT = 1600;

/** While seeding, the store's clock shows the time the demo data pretends to be written at. */
let seedTime: Date | undefined;
const clock: Clock = { now: () => seedTime ?? new Date() };

const directory = mkdtempSync(join(tmpdir(), 'llm-proxy-screenshots-'));
let store: Store | undefined;
let gateway: Gateway | undefined;
let browser: Browser | undefined;
try {
  const config = resolveConfig({
    env: {
      MANAGEMENT_TOKEN,
      // A throwaway key, so that the demo projects' provider keys are stored encrypted as they should be.
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      DATABASE_PATH: join(directory, 'demo.db'),
      AUDIT_STORE_IN_DB: 'true',
      LOG_LEVEL: 'warn',
    },
  });
  // The store is opened here rather than by the gateway so that it runs on the clock the seeding moves.
  store = await openStore({
    database: config.database,
    cipher: createApiKeyCipher(config.encryption.key, config.encryption.previousKeys),
    clock,
  });
  await store.migrations.latest();
  await seedDemoData(store, new Date(), (at) => {
    seedTime = at;
  });
  gateway = await startGateway(config, { logger: pino({ level: 'warn' }), store });
  const address = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
  mkdirSync(DOCS, { recursive: true });

  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  const context = await browser.newContext({ viewport: DESKTOP, deviceScaleFactor: 1 });
  const page = await context.newPage();
  // Straight to the audit trail, before the other pages add the events of their own management calls.
  await signIn(page, address, '/admin/audit');
  await save(page, 'admin-audit.png');
  await shoot(page, `${address}/admin/dashboard?range=7d`, 'admin-dashboard.png', true);
  const phone = await context.newPage();
  await phone.setViewportSize(PHONE);
  await shoot(phone, `${address}/admin/dashboard?range=7d`, 'admin-dashboard-phone.png', true);
  await phone.close();
  await shoot(page, `${address}/admin/projects`, 'admin-projects.png');
  await shoot(page, `${address}/admin/tokens`, 'admin-tokens.png');

  await page.goto(`${address}/admin/tokens/new`);
  await page.selectOption('#project_id', { label: 'support-bot' });
  await page.selectOption('#duration_minutes', String(30 * 24 * 60));
  await page.fill('#name', 'mobile-app');
  await page.getByRole('button', { name: 'Generate Token' }).click();
  await page.waitForURL((url) => !url.pathname.endsWith('/tokens/new'));
  await save(page, 'admin-token-created.png');
  await context.close();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await browser?.close();
  await gateway?.close();
  await store?.close();
  rmSync(directory, { recursive: true, force: true });
}

/** Signs in through the login form with the management token; the browser lands on `next`. */
async function signIn(page: Page, address: string, next: string): Promise<void> {
  await page.goto(`${address}/admin/auth/login?next=${encodeURIComponent(next)}`);
  await page.fill('#management_token', MANAGEMENT_TOKEN);
  await page.click('button[type=submit]');
  await page.waitForURL((url) => url.pathname === next);
}

/** Opens a page and saves it; pages with charts get a moment to draw them. */
async function shoot(page: Page, url: string, file: string, charts = false): Promise<void> {
  const answer = await page.goto(url);
  if (answer?.status() !== 200) throw new Error(`${url} answered ${String(answer?.status())}`);
  if (charts) {
    await page.waitForSelector('canvas');
    await page.waitForTimeout(800);
  }
  await save(page, file);
}

/** A full-page PNG, cut at {@link MAX_HEIGHT}. */
async function save(page: Page, file: string): Promise<void> {
  const { width, height } = await page.evaluate<{ width: number; height: number }>(
    '({ width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight })',
  );
  const path = join(DOCS, file);
  await page.screenshot({
    path,
    fullPage: true,
    ...(height > MAX_HEIGHT && { clip: { x: 0, y: 0, width, height: MAX_HEIGHT } }),
  });
  console.log(
    `${file}: ${String(width)}×${String(Math.min(height, MAX_HEIGHT))}, ${String(Math.round(statSync(path).size / 1024))} KiB`,
  );
}
