import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

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

describe.skipIf(!chromiumAvailable())('admin UI in Chromium: sign-in, sessions and projects', () => {
  let gateway: TestGateway;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { MANAGEMENT_AUTH_FAILURE_DELAY: '0s' } });
    base = gateway.url;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser.close();
    await gateway.close();
  });

  it('sends protected pages to sign-in, refuses empty and wrong tokens, signs in and out', async () => {
    const { context, problems } = await strictContext(browser);
    const page = await context.newPage();
    for (const path of ['/admin/dashboard', '/admin/projects', '/admin/tokens']) {
      await page.goto(`${base}${path}`);
      expect(new URL(page.url()).pathname).toBe('/admin/auth/login');
    }
    await expect(page.title()).resolves.toContain('Sign In');
    await expectAccessible(page);

    // An empty token: the browser's own validation keeps the form from being sent.
    await page.click('button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/admin/auth/login');
    expect(await page.locator('.alert-danger').count()).toBe(0);

    await signIn(page, base, 'wrong-management-token');
    expect(await page.locator('.alert-danger').innerText()).toContain('Invalid management token');

    await signIn(page, base);
    expect(new URL(page.url()).pathname).toBe('/admin/dashboard');
    for (const path of ['/admin/projects', '/admin/tokens', '/admin/audit']) {
      expect(await page.locator(`nav a[href="${path}"]`).count()).toBe(1);
    }
    const assets: (string | null)[] = [];
    for (const element of await page.locator('link[rel=stylesheet], script[src]').all()) {
      assets.push((await element.getAttribute('href')) ?? (await element.getAttribute('src')));
    }
    for (const asset of assets) expect(asset).toMatch(/\.[0-9a-f]{12}\.(css|js)$/);
    // Every other page passes the accessibility check too (projects, tokens and audit are checked in their flows).
    await expectAccessible(page);
    for (const path of ['/admin/dashboard?range=30d', '/admin/cache', '/admin/events', '/admin/audit']) {
      await page.goto(`${base}${path}`);
      await expectAccessible(page);
    }
    await page.goto(`${base}/admin/dashboard`);
    const cookies = await context.cookies();
    const session = cookies.find((cookie) => cookie.name === 'llmproxy_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(session?.value).not.toContain('management-token');

    await page.click('nav button:has-text("Sign Out")');
    expect(new URL(page.url()).pathname).toBe('/admin/auth/login');
    await page.goto(`${base}/admin/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/admin/auth/login');
    expect(problems).toEqual([]);
    await context.close();
  });

  it("a hostile site's form cannot act for a signed-in operator, nor frame the UI", async () => {
    const hostile = await startHostileSite(base);
    try {
      const { context } = await strictContext(browser);
      const page = await context.newPage();
      await signIn(page, base);
      expect(new URL(page.url()).pathname).toBe('/admin/dashboard');

      // Another site (localhost is not 127.0.0.1) posts a form to the UI in the same browser.
      await page.goto(`${hostile.url}/attack`);
      await page.waitForLoadState('load');
      const answered = page.url();
      expect(new URL(answered).pathname).toBe('/admin/auth/login');
      const projects = await gateway.store.projects.list();
      expect(projects.map((project) => project.name)).not.toContain('hostile-project');

      // The same site cannot put the UI in a frame either.
      await page.goto(`${hostile.url}/frame`);
      const frame = page.frames().find((candidate) => candidate.url().includes('/admin/'));
      expect(
        await frame
          ?.locator('h1')
          .count()
          .catch(() => 0),
      ).toBeFalsy();
      await context.close();
    } finally {
      await hostile.close();
    }
  });

  it('creates a project with validation, edits it, deactivates it and revokes its tokens with confirm', async () => {
    const { context, problems } = await strictContext(browser);
    const page = await context.newPage();
    await signIn(page, base);
    await page.goto(`${base}/admin/projects`);
    await expectAccessible(page);
    await page.click('a:has-text("Create Project")');
    await expectAccessible(page);

    // Required fields: the browser refuses to send the form.
    await page.click('button:has-text("Create Project")');
    expect(new URL(page.url()).pathname).toBe('/admin/projects/new');

    await page.fill('#name', 'Browser Project');
    await page.fill('#api_key', 'sk-browser-secret-key-123456');
    await page.click('button:has-text("Create Project")');
    expect(new URL(page.url()).pathname).toMatch(/^\/admin\/projects\/[\w-]+$/);
    expect(await page.locator('h1').innerText()).toContain('Browser Project');
    expect(await page.content()).not.toContain('sk-browser-secret-key-123456');
    await expectAccessible(page);
    const projectId = new URL(page.url()).pathname.split('/').pop() ?? '';

    // A duplicate name: the API's message, on the form again.
    await page.goto(`${base}/admin/projects/new`);
    await page.fill('#name', 'Browser Project');
    await page.fill('#api_key', 'sk-another-key-123456');
    await page.click('button:has-text("Create Project")');
    expect(await page.locator('.alert-danger').innerText()).toContain('already exists');

    // Two tokens, then revoke all of them from the details page, answering the confirm.
    await gateway.createToken(projectId);
    await gateway.createToken(projectId);
    await page.goto(`${base}/admin/projects/${projectId}`);
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.dismiss();
    });
    await page.click('button:has-text("Revoke All Tokens")');
    expect(asked).toBe(
      'Are you sure you want to revoke ALL tokens for project "Browser Project"? This action cannot be undone.',
    );
    const active = async () =>
      (await gateway.store.tokens.list({ projectId })).filter((token) => token.isActive).length;
    expect(await active()).toBe(2);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('button:has-text("Revoke All Tokens")');
    await page.waitForSelector('.alert-success');
    expect(await active()).toBe(0);

    // A token issued now works until the project is deactivated through the UI, and not after.
    const issued = await gateway.createToken(projectId);
    const before = await gateway.proxy('/v1/models', { token: issued.token });
    await before.text();
    expect(before.status).toBe(200);

    // Edit: turn the switch off, keep the key.
    await page.click('a:has-text("Edit Project")');
    await expectAccessible(page);
    await page.uncheck('#is_active');
    await page.click('button:has-text("Update Project")');
    expect(new URL(page.url()).pathname).toBe(`/admin/projects/${projectId}`);
    expect(await page.locator('.badge', { hasText: 'Inactive' }).count()).toBeGreaterThan(0);
    expect(await page.locator('button:has-text("Generate Token (Project Inactive)")').isDisabled()).toBe(
      true,
    );
    const stored = await gateway.store.projects.get(projectId);
    expect(stored?.apiKey).toBe('sk-browser-secret-key-123456');
    const after = await gateway.proxy('/v1/models', { token: issued.token });
    expect(after.status).toBe(403);
    expect(await after.text()).toContain('inactive');

    // The list shows it inactive, and the audit trail has the change made through the UI.
    await page.goto(`${base}/admin/projects?q=Browser`);
    expect(await page.locator('tbody tr', { hasText: 'Browser Project' }).locator('.badge').innerText()).toBe(
      'Inactive',
    );
    await gateway.gateway.audit.flush();
    await page.goto(`${base}/admin/audit?search=${projectId}`);
    expect(await page.locator('tbody tr', { hasText: 'project.update' }).count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});

/** A second origin with a page that posts a form to the UI and one that frames it. */
async function startHostileSite(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    response.setHeader('content-type', 'text/html');
    if (request.url === '/attack') {
      response.end(`<!doctype html><form method="post" action="${target}/admin/projects">
<input name="name" value="hostile-project"><input name="api_key" value="sk-hostile-key-123456"></form>
<script>document.forms[0].submit()</script>`);
    } else {
      response.end(`<!doctype html><iframe src="${target}/admin/dashboard"></iframe>`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${String(port)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}
