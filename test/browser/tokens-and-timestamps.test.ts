import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  chromiumAvailable,
  expectAccessible,
  launchChromium,
  signIn,
  strictContext,
} from '../helpers/browser.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';

describe.skipIf(!chromiumAvailable())('admin UI in Chromium: tokens, timestamps and the audit trail', () => {
  let gateway: TestGateway;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    gateway = await startTestGateway();
    base = gateway.url;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser.close();
    await gateway.close();
  });

  it('generates a token shown once, edits its limit to unlimited, revokes with confirm and cancel', async () => {
    const { projectId } = await gateway.issueToken();
    const { context, problems } = await strictContext(browser);
    const page = await context.newPage();
    await signIn(page, base);

    await page.goto(`${base}/admin/tokens/new?project_id=${projectId}`);
    await expectAccessible(page);
    expect(await page.locator('#duration_minutes').inputValue()).toBe('15');
    await page.fill('#max_requests', '5');
    await page.click('button:has-text("Generate Token")');
    expect(await page.locator('body').innerText()).toContain('Token Created Successfully');
    const secret = (await page.locator('#tokenValue').innerText()).trim();
    expect(secret.length).toBeGreaterThan(20);
    expect(await page.content()).toContain(`${base}/v1`);
    await expectAccessible(page);

    // The secret works against the proxy, and no other page shows it again.
    const models = await gateway.proxy('/v1/models', { token: secret });
    await models.text();
    expect(models.status).toBe(200);
    const record = (await gateway.store.tokens.list({ projectId })).find((token) => token.maxRequests === 5);
    const tokenId = record?.id ?? '';
    for (const path of ['/admin/tokens', `/admin/tokens/${tokenId}`, `/admin/tokens/${tokenId}/edit`]) {
      await page.goto(`${base}${path}`);
      expect(await page.content()).not.toContain(secret);
      await expectAccessible(page);
    }

    // Clearing max_requests makes the token unlimited.
    await page.goto(`${base}/admin/tokens/${tokenId}/edit`);
    await page.fill('#max_requests', '');
    await page.click('button:has-text("Update Token")');
    expect(new URL(page.url()).pathname).toBe(`/admin/tokens/${tokenId}`);
    expect((await gateway.store.tokens.get(tokenId))?.maxRequests).toBeNull();
    await page.goto(`${base}/admin/tokens?project_id=${projectId}`);
    expect(await page.locator(`tr:has(button[data-token-id="${tokenId}"])`).innerText()).toContain('∞');

    // Revoke from the list: cancelling keeps the token, accepting revokes it.
    const revoke = page.locator(`button[data-token-id="${tokenId}"]`);
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.dismiss();
    });
    await revoke.click();
    expect(asked).toMatch(/^Are you sure you want to revoke token .+\? This action cannot be undone\.$/);
    expect((await gateway.store.tokens.get(tokenId))?.isActive).toBe(true);
    page.once('dialog', (dialog) => void dialog.accept());
    await revoke.click();
    await page.waitForSelector('.alert-success');
    expect((await gateway.store.tokens.get(tokenId))?.isActive).toBe(false);
    expect(
      await page
        .locator(`tr:has-text("${record?.preview ?? '-'}") .badge`)
        .first()
        .innerText(),
    ).toBe('Revoked');

    // Reactivate from the details page, then revoke there again.
    await page.goto(`${base}/admin/tokens/${tokenId}`);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('button:has-text("Reactivate Token")');
    await page.waitForSelector('.alert-success');
    expect((await gateway.store.tokens.get(tokenId))?.isActive).toBe(true);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('button:has-text("Revoke Token")');
    await page.waitForSelector('.alert-success');
    expect((await gateway.store.tokens.get(tokenId))?.isActive).toBe(false);

    // The audit trail shows the revocation with its identifiers.
    await gateway.gateway.audit.flush();
    await page.goto(`${base}/admin/audit?search=token.revoke`);
    await expectAccessible(page);
    await page.locator('tbody tr a[href^="/admin/audit/"]').first().click();
    expect(await page.locator('h1').innerText()).toContain('Audit Event Details');
    expect(await page.locator('body').innerText()).toContain('Identifiers');
    await expectAccessible(page);

    // Paging keeps the search; a search that matches nothing shows the empty state.
    await page.goto(`${base}/admin/audit?search=token&page_size=5`);
    await page.click('.pagination a[rel=next]');
    const paged = new URL(page.url());
    expect(paged.searchParams.get('search')).toBe('token');
    expect(paged.searchParams.get('page')).toBe('2');
    expect(await page.locator('input[name=search]').inputValue()).toBe('token');
    await page.goto(`${base}/admin/audit?search=nothing-matches-this`);
    expect(await page.locator('.text-center.py-5').innerText()).toContain('No Audit Events Found');
    await expectAccessible(page);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows the same instant in the time zone of each browser, UTC in the title', async () => {
    const { projectId } = await gateway.issueToken();
    const shown: Record<string, { text: string; ts: string | null; title: string | null }> = {};
    for (const timezoneId of ['America/Los_Angeles', 'Asia/Tokyo', 'UTC']) {
      const { context } = await strictContext(browser, { timezoneId, locale: 'en-US' });
      const page = await context.newPage();
      await signIn(page, base);
      await page.goto(`${base}/admin/projects/${projectId}`);
      const time = page.locator('time[data-local-time="true"]').first();
      shown[timezoneId] = {
        text: await time.innerText(),
        ts: await time.getAttribute('data-ts'),
        title: await time.getAttribute('title'),
      };
      await context.close();
    }
    const [losAngeles, tokyo, utc] = [shown['America/Los_Angeles'], shown['Asia/Tokyo'], shown.UTC];
    expect(losAngeles?.ts).toBe(tokyo?.ts);
    expect(losAngeles?.title).toBe(losAngeles?.ts);
    expect(losAngeles?.text).not.toBe(tokyo?.text);
    const instant = new Date(utc?.ts ?? '');
    const utcClock = `${String(instant.getUTCHours() % 12 || 12)}:${String(instant.getUTCMinutes()).padStart(2, '0')}`;
    expect(utc?.text).toContain(utcClock);
  });

  it("renders the original's data-format variants in the browser's zone", async () => {
    const { tokenId } = await gateway.issueToken();
    const { context, problems } = await strictContext(browser, { timezoneId: 'Asia/Tokyo', locale: 'en-US' });
    const page = await context.newPage();
    await signIn(page, base);
    await page.goto(`${base}/admin/tokens/${tokenId}`);
    const long = page.locator('time[data-format="long"]').first();
    const ts = new Date((await long.getAttribute('data-ts')) ?? '');
    // Tokyo is UTC+9 all year.
    const tokyo = new Date(ts.getTime() + 9 * 3_600_000);
    const hours = tokyo.getUTCHours();
    const minutes = String(tokyo.getUTCMinutes()).padStart(2, '0');
    expect(await long.innerText()).toContain(
      ` at ${String(hours % 12 || 12)}:${minutes} ${hours < 12 ? 'AM' : 'PM'}`,
    );

    await page.goto(`${base}/admin/tokens`);
    const times = page.locator(`tr:has(a[href="/admin/tokens/${tokenId}/edit"]) time[data-format="ymd_hm"]`);
    expect(await times.count()).toBeGreaterThan(0);
    for (const time of await times.all()) {
      const instant = new Date((await time.getAttribute('data-ts')) ?? '');
      const local = new Date(instant.getTime() + 9 * 3_600_000).toISOString();
      expect(await time.innerText()).toBe(`${local.slice(0, 10)} ${local.slice(11, 16)}`);
      expect(await time.getAttribute('title')).toBe(instant.toISOString());
    }
    expect(problems).toEqual([]);
    await context.close();
  });
});
