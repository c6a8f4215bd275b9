import type { LightMyRequestResponse } from 'fastify';
import type { HTMLElement } from 'node-html-parser';
import type { UsageDelta } from '../../src/store/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { page, signInToAdmin } from '../helpers/admin-client.js';
import type { AdminClient } from '../helpers/admin-client.js';
import { ManualClock } from '../helpers/clock.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import { createTestStore } from '../helpers/test-store.js';
import type { TestStore } from '../helpers/test-store.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { createProject, json } from '../helpers/management.js';

/** A token as `GET /manage/tokens` lists it. */
interface ListedToken {
  id: string;
  token: string;
  status: string;
  max_requests: number | null;
}

describe('admin UI token pages', () => {
  const clock = new ManualClock(new Date('2025-03-01T09:00:00Z'));
  let gateway: TestGateway;
  let testStore: TestStore;
  let admin: AdminClient;

  beforeAll(async () => {
    // The store keeps the same time as the gateway: tokens made a (manual) second apart are a second apart.
    testStore = await createTestStore('sqlite', undefined, clock);
    gateway = await startTestGateway({ listen: false, clock, store: testStore.store });
    admin = await signInToAdmin(gateway);
  });
  afterAll(async () => {
    await gateway.close();
    await testStore.cleanup();
  });

  /** The tokens of a project as the API lists them (masked). */
  async function listedTokens(projectId: string): Promise<ListedToken[]> {
    return json<ListedToken[]>(await gateway.manage('GET', `/manage/tokens?project_id=${projectId}`));
  }

  /** The list page's rows, each by its token's masked form. */
  function rowsOf(response: LightMyRequestResponse): HTMLElement[] {
    return page(response).querySelectorAll('tbody tr');
  }

  /** Revoke events of a token recorded through the admin UI. */
  async function adminRevokes(projectId: string): Promise<number> {
    await gateway.gateway.audit.flush();
    const { events } = await gateway.store.audit.list({ action: 'token.revoke', projectId }, 1, 100);
    return events.filter(
      (event) => (JSON.parse(event.metadata ?? '{}') as { origin?: string }).origin === 'admin-ui',
    ).length;
  }

  it('lists tokens by their masked form with project names, and no page shows the raw token', async () => {
    const issued = await gateway.issueToken({ token: { max_requests: 5, name: 'ci runner' } });
    const second = await gateway.createToken(issued.projectId);
    const masked = await listedTokens(issued.projectId);
    await gateway.gateway.audit.flush();
    const readsBefore = (await gateway.store.audit.list({ action: 'token.read' }, 1, 1)).totalCount;

    const list = await admin.get(`/admin/tokens?project_id=${issued.projectId}`);
    expect(list.statusCode).toBe(200);
    const document = page(list);
    expect(document.querySelector('h1')?.text.trim()).toBe('Tokens');
    expect(document.querySelector('main a.btn-primary')?.text).toContain('Generate Token');
    expect(document.querySelectorAll('thead th').map((th) => th.text.trim())).toEqual([
      'Token',
      'Name',
      'Project',
      'Requests & Cache',
      'Status',
      'Expires',
      'Created',
      'Last Used',
      'Actions',
    ]);
    const rows = rowsOf(list);
    expect(rows).toHaveLength(2);
    const limited = rows.find((row) => row.text.includes('ci runner'));
    expect(limited?.querySelector('code')?.text).toBe(masked.find((t) => t.id === issued.tokenId)?.token);
    expect(limited?.text).toContain('0 / 5');
    expect(limited?.querySelector(`a[href="/admin/projects/${issued.projectId}"]`)?.text).toMatch(
      /^proxy-project-/,
    );
    expect(limited?.querySelector(`a[href="/admin/tokens/${issued.tokenId}/edit"]`)).not.toBeNull();
    expect(limited?.querySelector('td:nth-child(6)')?.querySelector('[data-local-time]')).not.toBeNull();
    expect(limited?.querySelector('td:nth-child(8)')?.text.trim()).toBe('Never');
    const unlimited = rows.find((row) => !row.text.includes('ci runner'));
    expect(unlimited?.text).toContain('0 / ∞');

    // One list call and one project call, never a read per row.
    await gateway.gateway.audit.flush();
    expect((await gateway.store.audit.list({ action: 'token.read' }, 1, 1)).totalCount).toBe(readsBefore);

    const pages = [
      list,
      await admin.get('/admin/tokens'),
      await admin.get(`/admin/tokens/${issued.tokenId}`),
      await admin.get(`/admin/tokens/${issued.tokenId}/edit`),
      await admin.get(`/admin/tokens/${second.id}`),
    ];
    for (const shown of pages) {
      expect(shown.statusCode).toBe(200);
      expect(shown.body).not.toContain(issued.token);
      expect(shown.body).not.toContain(second.token);
    }
  });

  it('shows each status as its badge and filters by status', async () => {
    const project = await createProject(gateway, `statuses-${String(Date.now())}`);
    const active = await gateway.createToken(project.id, { name: 'active one' });
    const revoked = await gateway.createToken(project.id, { name: 'revoked one' });
    const exhausted = await gateway.createToken(project.id, { name: 'exhausted one', max_requests: 1 });
    const expired = await gateway.createToken(project.id, { name: 'expired one', duration_minutes: 5 });
    expect((await gateway.manage('DELETE', `/manage/tokens/${revoked.id}`)).statusCode).toBe(204);
    expect((await gateway.injectProxy('/v1/models', { token: exhausted.token })).status).toBe(200);
    await gateway.gateway.requestCounts.flush();
    clock.advance(6 * 60_000);

    const list = await admin.get(`/admin/tokens?project_id=${project.id}`);
    const badgeOf = (name: string) =>
      rowsOf(list)
        .find((row) => row.text.includes(name))
        ?.querySelector('.badge');
    expect(badgeOf('active one')?.text).toBe('Active');
    expect(badgeOf('active one')?.classList.contains('bg-success')).toBe(true);
    expect(badgeOf('expired one')?.text).toBe('Expired');
    expect(badgeOf('expired one')?.classList.contains('bg-warning')).toBe(true);
    expect(badgeOf('revoked one')?.text).toBe('Revoked');
    expect(badgeOf('revoked one')?.classList.contains('bg-danger')).toBe(true);
    expect(badgeOf('exhausted one')?.text).toBe('Exhausted');
    expect(badgeOf('exhausted one')?.classList.contains('bg-secondary')).toBe(true);
    // Only tokens that still work (or only ran out of requests) can be revoked from the list.
    const revocable = page(list)
      .querySelectorAll('form input[name="_method"][value="DELETE"]')
      .map((input) => input.closest('form')?.getAttribute('action'));
    expect(revocable.sort()).toEqual([`/admin/tokens/${active.id}`, `/admin/tokens/${exhausted.id}`].sort());

    const onlyExpired = await admin.get(`/admin/tokens?project_id=${project.id}&status=expired`);
    expect(rowsOf(onlyExpired).map((row) => row.querySelector('td:nth-child(2)')?.text)).toEqual([
      'expired one',
    ]);
    expect(page(onlyExpired).querySelector('select[name="status"] option[selected]')?.text.trim()).toBe(
      'Expired',
    );

    const expiredDetails = page(await admin.get(`/admin/tokens/${expired.id}`));
    const noActions = expiredDetails.querySelectorAll('button').find((b) => b.text.includes('Expired'));
    expect(noActions?.text.trim()).toBe('Expired - No Actions Available');
    expect(noActions?.hasAttribute('disabled')).toBe(true);
    expect(expiredDetails.querySelector('input[name="_method"]')).toBeNull();
  });

  it('sorts and pages the list, each keeping the filters and the other', async () => {
    const project = await createProject(gateway, `paging-${String(Date.now())}`);
    const created: string[] = [];
    for (let index = 0; index < 12; index += 1) {
      clock.advance(1_000);
      created.push((await gateway.createToken(project.id, { name: `token-${String(index)}` })).id);
    }
    const base = `/admin/tokens?project_id=${project.id}`;
    const names = (response: LightMyRequestResponse) =>
      rowsOf(response).map((row) => row.querySelector('td:nth-child(2)')?.text);

    const firstPage = await admin.get(base);
    expect(names(firstPage)).toEqual(
      ['11', '10', '9', '8', '7', '6', '5', '4', '3', '2'].map((n) => `token-${n}`),
    );
    const oldestFirst = await admin.get(`${base}&sort=created&order=asc&size=5&page=2`);
    expect(names(oldestFirst)).toEqual(['5', '6', '7', '8', '9'].map((n) => `token-${n}`));
    const document = page(oldestFirst);
    const next = new URL(document.querySelector('a[rel="next"]')?.getAttribute('href') ?? '', 'http://x');
    expect(Object.fromEntries(next.searchParams)).toEqual({
      project_id: project.id,
      sort: 'created',
      order: 'asc',
      page: '3',
      size: '5',
    });
    expect(names(await admin.get(`${next.pathname}${next.search}`))).toEqual(['token-10', 'token-11']);
    // The sorted column's header turns the order around and keeps the filter and the page size.
    const createdHeader = document.querySelectorAll('thead th').find((th) => th.text.includes('Created'));
    expect(createdHeader?.getAttribute('aria-sort')).toBe('ascending');
    const toggled = new URL(createdHeader?.querySelector('a')?.getAttribute('href') ?? '', 'http://x');
    expect(Object.fromEntries(toggled.searchParams)).toEqual({
      project_id: project.id,
      sort: 'created',
      order: 'desc',
      size: '5',
    });
    // The filter form carries the sorting along.
    const filter = document.querySelector('form[method="get"]');
    expect(filter?.querySelector('select[name="project_id"]')?.hasAttribute('data-auto-submit')).toBe(true);
    expect(filter?.querySelector('input[name="sort"]')?.getAttribute('value')).toBe('created');
    expect(filter?.querySelector('input[name="order"]')?.getAttribute('value')).toBe('asc');

    const used = json<{ token: string }>(
      await gateway.manage('POST', '/manage/tokens', { project_id: project.id, duration_minutes: 1 }),
    );
    for (let count = 0; count < 2; count += 1) await gateway.injectProxy('/v1/models', { token: used.token });
    await gateway.gateway.requestCounts.flush();
    const mostUsed = await admin.get(`${base}&sort=requests&order=desc&size=1`);
    expect(rowsOf(mostUsed)[0]?.text).toContain('2 / ∞');
    const soonestExpiry = await admin.get(`${base}&sort=expires&order=asc&size=1`);
    expect(rowsOf(soonestExpiry)[0]?.text).toContain('2 / ∞');

    expect((await gateway.manage('DELETE', `/manage/tokens/${created[3] ?? ''}`)).statusCode).toBe(204);
    const revokedOnly = await admin.get(`${base}&status=revoked&sort=created&order=asc`);
    expect(names(revokedOnly)).toEqual(['token-3']);

    const empty = await admin.get(`/admin/tokens?project_id=${project.id}&status=exhausted`);
    expect(empty.statusCode).toBe(200);
    expect(page(empty).querySelector('main')?.text).toContain('No Tokens Found');
  });

  it('generates a token: the secret is shown once, with snippets for the proxy, and it works', async () => {
    const project = await createProject(gateway, `generate-${String(Date.now())}`);
    const inactive = await createProject(gateway, `inactive-${String(Date.now())}`);
    await gateway.manage('PATCH', `/manage/projects/${inactive.id}`, { is_active: false });

    const form = page(await admin.get(`/admin/tokens/new?project_id=${project.id}`));
    expect(form.querySelector('select#project_id option[selected]')?.getAttribute('value')).toBe(project.id);
    const inactiveOption = form.querySelector(`select#project_id option[value="${inactive.id}"]`);
    expect(inactiveOption?.hasAttribute('disabled')).toBe(true);
    expect(inactiveOption?.text.trim()).toBe(`${inactive.name} - INACTIVE`);
    const durations = form.querySelectorAll('select#duration_minutes option');
    expect(durations.map((option) => option.getAttribute('value'))).toEqual([
      '5',
      '10',
      '15',
      '30',
      '60',
      '120',
      '180',
      '360',
      '720',
      '1440',
      '2880',
      '4320',
      '10080',
      '43200',
      '525600',
    ]);
    expect(form.querySelector('select#duration_minutes option[selected]')?.text.trim()).toBe('15 minutes');
    expect(durations.find((option) => option.getAttribute('value') === '1440')?.text.trim()).toBe('1 day');
    const maxRequests = form.querySelector('#max_requests');
    expect(maxRequests?.getAttribute('type')).toBe('number');
    expect(maxRequests?.getAttribute('min')).toBe('1');
    expect(maxRequests?.getAttribute('placeholder')).toBe('Unlimited');
    expect(form.querySelector('button[type="submit"].btn-primary')?.text.trim()).toBe('Generate Token');

    const answer = await admin.post('/admin/tokens', {
      project_id: project.id,
      duration_minutes: '60',
      max_requests: '',
      name: 'from the form',
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    const shown = page(answer);
    expect(shown.querySelector('h1')?.text.trim()).toBe('Token Created Successfully');
    const secret = shown.querySelector('#tokenValue')?.text ?? '';
    expect(secret).toMatch(/^sk-/);
    expect(shown.querySelector('button[data-copy-target="tokenValue"]')).not.toBeNull();
    expect(shown.querySelector('main')?.text).toContain('This is the only time the token is shown');
    expect(shown.querySelector('main')?.text).toContain('Unlimited');
    expect(shown.querySelector('#snippet-curl')?.text).toContain(
      `curl http://localhost:80/v1/chat/completions`,
    );
    expect(shown.querySelector('#snippet-curl')?.text).toContain(`Authorization: Bearer ${secret}`);
    expect(shown.querySelector('#snippet-python')?.text).toContain(
      `OpenAI(base_url="http://localhost:80/v1", api_key="${secret}")`,
    );
    expect(shown.querySelector('#snippet-node')?.text).toContain(
      `new OpenAI({ baseURL: 'http://localhost:80/v1', apiKey: '${secret}' })`,
    );

    expect((await gateway.injectProxy('/v1/models', { token: secret })).status).toBe(200);
    const [stored] = await listedTokens(project.id);
    expect(stored?.max_requests).toBeNull();
    const record = await gateway.tokenRecord(stored?.id ?? '');
    expect(record.name).toBe('from the form');
    expect(record.maxRequests).toBeNull();
    const details = await admin.get(`/admin/tokens/${stored?.id ?? ''}`);
    expect(details.body).not.toContain(secret);
    expect((await admin.get(`/admin/tokens?project_id=${project.id}`)).body).not.toContain(secret);
  });

  it('shows the form again with the API message when the values are refused', async () => {
    const project = await createProject(gateway, `refused-${String(Date.now())}`);
    const inactive = await createProject(gateway, `refused-inactive-${String(Date.now())}`);
    await gateway.manage('PATCH', `/manage/projects/${inactive.id}`, { is_active: false });

    const forInactive = await admin.post('/admin/tokens', {
      project_id: inactive.id,
      duration_minutes: '15',
      name: 'kept',
    });
    expect(forInactive.statusCode).toBe(403);
    expect(page(forInactive).querySelector('.alert-danger')?.text).toContain('inactive project');
    expect(page(forInactive).querySelector('#name')?.getAttribute('value')).toBe('kept');

    const negative = await admin.post('/admin/tokens', {
      project_id: project.id,
      duration_minutes: '15',
      max_requests: '-3',
    });
    expect(negative.statusCode).toBe(400);
    expect(page(negative).querySelector('.alert-danger')?.text.trim()).not.toBe('');
    expect(page(negative).querySelector('#max_requests')?.getAttribute('value')).toBe('-3');
    expect(page(negative).querySelector('select#project_id option[selected]')?.getAttribute('value')).toBe(
      project.id,
    );

    const noProject = await admin.post('/admin/tokens', { project_id: '', duration_minutes: '15' });
    expect(noProject.statusCode).toBe(400);
    expect(page(noProject).querySelector('.alert-danger')?.text).toContain('project_id');

    const tooLong = await admin.post('/admin/tokens', { project_id: project.id, duration_minutes: '999999' });
    expect(tooLong.statusCode).toBe(400);
    expect(page(tooLong).querySelector('.alert-danger')?.text).toContain('duration_minutes');

    const notANumber = await admin.post('/admin/tokens', {
      project_id: project.id,
      duration_minutes: '15',
      max_requests: 'lots',
    });
    expect(notANumber.statusCode).toBe(400);
    expect(page(notANumber).querySelector('.alert-danger')?.text).toContain('max_requests');
    expect(await listedTokens(project.id)).toEqual([]);
  });

  it('edits the limit and name, and a cleared limit makes the token unlimited', async () => {
    const issued = await gateway.issueToken({ token: { max_requests: 10 } });
    const edit = page(await admin.get(`/admin/tokens/${issued.tokenId}/edit`));
    expect(edit.querySelector('h1')?.text.trim()).toBe('Edit Token');
    for (const id of ['token_id', 'project', 'request_count', 'expires_at']) {
      expect(edit.querySelector(`#${id}`)?.hasAttribute('readonly')).toBe(true);
      expect(edit.querySelector(`label[for="${id}"]`)).not.toBeNull();
    }
    expect(edit.querySelector('#token_id')?.getAttribute('value')).toBe(issued.tokenId);
    const expires = edit.querySelector('#expires_at');
    expect(expires?.getAttribute('value')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    expect(expires?.hasAttribute('data-local-time')).toBe(false);
    expect(edit.querySelector('#max_requests')?.getAttribute('value')).toBe('10');
    expect(edit.querySelector('#is_active')?.hasAttribute('checked')).toBe(true);
    expect(edit.querySelector('button.btn-primary[type="submit"]')?.text.trim()).toBe('Update Token');
    const dangerButton = edit
      .querySelectorAll('button[type="submit"]')
      .find((b) => b.text.includes('Revoke'));
    expect(dangerButton?.text.trim()).toBe('Revoke Token');
    expect(dangerButton?.getAttribute('data-confirm')).toBe(
      'Are you sure you want to revoke this token? This action cannot be undone.',
    );

    const updated = await admin.post(`/admin/tokens/${issued.tokenId}`, {
      _method: 'PUT',
      max_requests: '50',
      is_active: 'true',
      name: 'renamed',
    });
    expect(updated.statusCode).toBe(303);
    expect(updated.headers.location).toBe(`/admin/tokens/${issued.tokenId}`);
    expect((await gateway.tokenRecord(issued.tokenId)).maxRequests).toBe(50);
    expect((await gateway.tokenRecord(issued.tokenId)).name).toBe('renamed');
    const details = page(await admin.get(`/admin/tokens/${issued.tokenId}`));
    expect(details.querySelector('.alert-success')?.text).toContain('Token updated');
    expect(details.querySelector('main')?.text).toContain('50 requests');

    const cleared = await admin.post(`/admin/tokens/${issued.tokenId}`, {
      _method: 'PUT',
      max_requests: '',
      is_active: 'true',
      name: 'renamed',
    });
    expect(cleared.statusCode).toBe(303);
    expect((await gateway.tokenRecord(issued.tokenId)).maxRequests).toBeNull();
    const list = await admin.get(`/admin/tokens?project_id=${issued.projectId}`);
    expect(rowsOf(list)[0]?.text).toContain('0 / ∞');
    expect(page(await admin.get(`/admin/tokens/${issued.tokenId}`)).querySelector('main')?.text).toContain(
      'Unlimited',
    );

    const refused = await admin.post(`/admin/tokens/${issued.tokenId}`, {
      _method: 'PUT',
      max_requests: '-1',
      is_active: 'true',
      name: 'typed again',
    });
    expect(refused.statusCode).toBe(400);
    expect(page(refused).querySelector('.alert-danger')?.text.trim()).not.toBe('');
    expect(page(refused).querySelector('#max_requests')?.getAttribute('value')).toBe('-1');
    expect(page(refused).querySelector('#name')?.getAttribute('value')).toBe('typed again');
    expect((await gateway.tokenRecord(issued.tokenId)).name).toBe('renamed');
  });

  it('revokes from the list and returns to it, audited as coming from the admin UI', async () => {
    const issued = await gateway.issueToken();
    const [listed] = await listedTokens(issued.projectId);
    const list = page(await admin.get(`/admin/tokens?project_id=${issued.projectId}`));
    const form = list.querySelector(`form[action="/admin/tokens/${issued.tokenId}"]`);
    expect(form?.getAttribute('method')).toBe('post');
    expect(form?.getAttribute('data-confirm')).toBe(
      `Are you sure you want to revoke token ${listed?.token ?? ''}? This action cannot be undone.`,
    );
    expect(form?.querySelector('input[name="_csrf"]')).not.toBeNull();

    const revoked = await admin.post(`/admin/tokens/${issued.tokenId}`, { _method: 'DELETE' });
    expect(revoked.statusCode).toBe(303);
    expect(revoked.headers.location).toBe('/admin/tokens');
    expect((await gateway.tokenRecord(issued.tokenId)).isActive).toBe(false);
    expect(page(await admin.get('/admin/tokens')).querySelector('.alert-success')?.text).toContain(
      'Token revoked',
    );
    expect(await adminRevokes(issued.projectId)).toBe(1);
    expect((await gateway.injectProxy('/v1/models', { token: issued.token })).status).toBe(401);
  });

  it("charts only the token's own usage on its details page", async () => {
    const issued = await gateway.issueToken();
    const other = await gateway.createToken(issued.projectId);
    const row = (tokenId: string, requests: number): UsageDelta => ({
      projectId: issued.projectId,
      tokenId,
      model: 'gpt-4o',
      hour: clock.now(),
      requests,
      inputTokens: 10 * requests,
      outputTokens: requests,
      cachedTokens: 0,
      reasoningTokens: 0,
      cacheHits: 0,
      errors: 0,
      estimatedRequests: 0,
      unpricedRequests: 0,
      costUsd: 0.001,
    });
    await gateway.store.usage.add([row(issued.tokenId, 7), row(other.id, 100)]);

    const details = page(await admin.get(`/admin/tokens/${issued.tokenId}?range=7d`));
    expect(details.querySelector('[data-usage-total="Requests"]')?.text).toBe('7');
    expect(details.querySelector('[data-usage-total="Input tokens"]')?.text).toBe('70');
    expect(details.querySelector('a[aria-current="true"]')?.getAttribute('href')).toBe(
      `/admin/tokens/${issued.tokenId}?range=7d`,
    );
    expect(details.querySelectorAll('canvas[data-chart^="token-"]')).toHaveLength(3);
  });

  it('revokes from the details page, comes back to it, and reactivates the token', async () => {
    const issued = await gateway.issueToken();
    const details = page(await admin.get(`/admin/tokens/${issued.tokenId}`));
    expect(details.querySelector('h1')?.text.trim()).toBe('Token Details');
    const card = details.querySelector('.card-body')?.text ?? '';
    for (const label of [
      'Token ID',
      'Token (obfuscated)',
      'Project',
      'Status',
      'Expires',
      'Usage',
      'Limit',
    ]) {
      expect(card).toContain(label);
    }
    expect(card).toContain('Created');
    expect(card).toContain('Last Used');
    expect(details.querySelector('button[data-copy-target="token-id"]')).not.toBeNull();
    expect(details.querySelector('canvas[data-chart^="token-"]')).not.toBeNull();
    const revokeButton = details.querySelectorAll('button.btn-danger').find((b) => b.text.includes('Revoke'));
    expect(revokeButton?.text.trim()).toBe('Revoke Token');
    expect(revokeButton?.closest('form')?.getAttribute('data-confirm')).toContain('revoke token');
    expect(
      revokeButton?.closest('form')?.querySelector('input[name="return_to"]')?.getAttribute('value'),
    ).toBe('details');

    const revoked = await admin.post(`/admin/tokens/${issued.tokenId}`, {
      _method: 'DELETE',
      return_to: 'details',
    });
    expect(revoked.statusCode).toBe(303);
    expect(revoked.headers.location).toBe(`/admin/tokens/${issued.tokenId}`);
    expect((await gateway.tokenRecord(issued.tokenId)).isActive).toBe(false);
    expect(await adminRevokes(issued.projectId)).toBe(1);

    const afterRevoke = page(await admin.get(`/admin/tokens/${issued.tokenId}`));
    expect(afterRevoke.querySelector('.alert-success')?.text).toContain('Token revoked');
    expect(afterRevoke.querySelector('.card-body .badge')?.text).toBe('Revoked');
    const reactivate = afterRevoke.querySelectorAll('button').find((b) => b.text.includes('Reactivate'));
    expect(reactivate?.text.trim()).toBe('Reactivate Token');
    const reactivateForm = reactivate?.closest('form');
    expect(reactivateForm?.getAttribute('data-confirm')).toContain('reactivate');
    expect(reactivateForm?.querySelector('input[name="_method"]')?.getAttribute('value')).toBe('PUT');
    expect(reactivateForm?.querySelector('input[name="is_active"]')?.getAttribute('value')).toBe('true');

    const reactivated = await admin.post(`/admin/tokens/${issued.tokenId}`, {
      _method: 'PUT',
      is_active: 'true',
    });
    expect(reactivated.statusCode).toBe(303);
    expect(reactivated.headers.location).toBe(`/admin/tokens/${issued.tokenId}`);
    expect((await gateway.tokenRecord(issued.tokenId)).isActive).toBe(true);
    expect((await gateway.injectProxy('/v1/models', { token: issued.token })).status).toBe(200);
  });

  it('refuses a post without the CSRF token and changes nothing', async () => {
    const issued = await gateway.issueToken({ token: { max_requests: 3 } });
    const revoke = await admin.post(`/admin/tokens/${issued.tokenId}`, { _csrf: '', _method: 'DELETE' });
    expect(revoke.statusCode).toBe(403);
    const update = await admin.post(`/admin/tokens/${issued.tokenId}`, {
      _csrf: '',
      _method: 'PUT',
      max_requests: '',
    });
    expect(update.statusCode).toBe(403);
    const create = await admin.post('/admin/tokens', {
      _csrf: '',
      project_id: issued.projectId,
      duration_minutes: '15',
    });
    expect(create.statusCode).toBe(403);
    const record = await gateway.tokenRecord(issued.tokenId);
    expect(record.isActive).toBe(true);
    expect(record.maxRequests).toBe(3);
    expect(await listedTokens(issued.projectId)).toHaveLength(1);
  });

  it('answers the 404 page for a token that does not exist', async () => {
    for (const path of [
      '/admin/tokens/0b7e3f4a-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
      '/admin/tokens/0b7e3f4a-1c2d-4e5f-8a9b-0c1d2e3f4a5b/edit',
      '/admin/tokens/not-a-token-id',
      '/admin/tokens/malformed.id',
    ]) {
      const answer = await admin.get(path);
      expect(answer.statusCode).toBe(404);
      expect(answer.headers['content-type']).toContain('text/html');
      expect(page(answer).querySelector('.alert-danger')?.text).toContain('token not found');
    }
    const revokeUnknown = await admin.post('/admin/tokens/0b7e3f4a-1c2d-4e5f-8a9b-0c1d2e3f4a5b', {
      _method: 'DELETE',
    });
    expect(revokeUnknown.statusCode).toBe(404);
  });
});
