import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { OWN_ORIGIN, page, signInToAdmin } from '../helpers/admin-client.js';
import type { AdminClient } from '../helpers/admin-client.js';
import { ManualClock } from '../helpers/clock.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { createProject, json } from '../helpers/management.js';
import type { ProjectJson } from '../helpers/management.js';
import { createTestStore } from '../helpers/test-store.js';
import type { TestStore } from '../helpers/test-store.js';

const SECRET_KEY = 'sk-live-REALSECRET-0123456789abcdef';

describe('admin UI: projects pages', () => {
  // One time for the gateway and its store, moved on by hand where creation order matters.
  const clock = new ManualClock(new Date());
  let gateway: TestGateway;
  let testStore: TestStore;
  let admin: AdminClient;

  beforeAll(async () => {
    testStore = await createTestStore('sqlite', undefined, clock);
    gateway = await startTestGateway({ listen: false, clock, store: testStore.store });
    admin = await signInToAdmin(gateway);
  });
  afterAll(async () => {
    await gateway.close();
    await testStore.cleanup();
  });

  async function deactivate(project: ProjectJson): Promise<void> {
    const answer = await gateway.manage('PATCH', `/manage/projects/${project.id}`, { is_active: false });
    expect(answer.statusCode).toBe(200);
  }

  /** The page a redirect leads to, with the flash the redirect left. */
  async function follow(response: LightMyRequestResponse): Promise<LightMyRequestResponse> {
    expect(response.statusCode).toBe(303);
    return admin.get(String(response.headers.location));
  }

  function rowNames(response: LightMyRequestResponse): string[] {
    return page(response)
      .querySelectorAll('tbody tr td:first-child a')
      .map((link) => link.text.trim());
  }

  it('lists projects with status badges, masked keys and their actions, never the real key', async () => {
    const active = await createProject(gateway, 'list-alpha', SECRET_KEY);
    const inactive = await createProject(gateway, 'list-beta', SECRET_KEY, { cache_post_ttl_seconds: 120 });
    await deactivate(inactive);

    const response = await admin.get('/admin/projects?q=list-');
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain(SECRET_KEY);
    const document = page(response);
    expect(document.querySelector('h1')?.text.trim()).toBe('Projects');
    expect(document.querySelector('a[href="/admin/projects/new"]')?.text).toContain('Create Project');
    expect(
      document
        .querySelectorAll('thead th[scope=col]')
        .map((th) => th.text.replace(/\(sorted \w+\)/, '').trim()),
    ).toEqual(['Name', 'API Key', 'Provider', 'Status', 'Cache TTL', 'Created', 'Actions']);
    const rows = document.querySelectorAll('tbody tr');
    expect(rows).toHaveLength(2);
    const [alphaRow, betaRow] = rows;
    expect(alphaRow!.querySelector(`a[href="/admin/projects/${active.id}"]`)?.text).toBe('list-alpha');
    expect(alphaRow!.querySelector('code')?.text).toBe(active.api_key);
    expect(alphaRow!.querySelector('.badge.bg-success')?.text).toBe('Active');
    expect(betaRow!.querySelector('.badge.bg-secondary')?.text).toBe('Inactive');
    expect(betaRow!.text).toContain('120 s');
    expect(alphaRow!.text).toContain('Off');
    const created = alphaRow!.querySelector('time[data-local-time="true"]');
    expect(created?.getAttribute('data-ts')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(created?.getAttribute('title')).toBe(created?.getAttribute('data-ts'));
    expect(alphaRow!.querySelector(`a[href="/admin/projects/${active.id}/edit"]`)?.text).toBe('Edit');
    expect(alphaRow!.querySelector(`a[href="/admin/tokens/new?project_id=${active.id}"]`)?.text).toBe(
      'Generate Token',
    );
    const revokeForm = alphaRow!.querySelector(`form[action="/admin/projects/${active.id}/revoke-tokens"]`);
    expect(revokeForm?.getAttribute('method')).toBe('post');
    expect(revokeForm?.getAttribute('data-confirm')).toBe(
      'Are you sure you want to revoke ALL tokens for project "list-alpha"? This action cannot be undone.',
    );
    expect(revokeForm?.querySelector('input[name=return_to]')?.getAttribute('value')).toBe('list');
    expect(revokeForm?.querySelector('input[name=_csrf]')?.getAttribute('value')).toBe(admin.csrfToken);
    expect(revokeForm?.querySelector('button')?.text).toBe('Revoke All Tokens');
  });

  it('searches names and ids case-insensitively, and sorting and paging keep each other', async () => {
    const made: ProjectJson[] = [];
    for (const letter of ['c', 'a', 'e', 'b', 'd']) {
      clock.advance(1_000);
      made.push(await createProject(gateway, `paging-${letter}`));
    }

    const first = await admin.get('/admin/projects?q=PAGING&sort=name&order=desc&size=2');
    expect(rowNames(first)).toEqual(['paging-e', 'paging-d']);
    const next = page(first).querySelector('a[rel=next]')?.getAttribute('href') ?? '';
    const nextQuery = new URL(next, OWN_ORIGIN).searchParams;
    expect(Object.fromEntries(nextQuery)).toEqual({
      q: 'PAGING',
      sort: 'name',
      order: 'desc',
      page: '2',
      size: '2',
    });
    expect(rowNames(await admin.get(next))).toEqual(['paging-c', 'paging-b']);
    expect(rowNames(await admin.get('/admin/projects?q=PAGING&sort=name&order=desc&size=2&page=3'))).toEqual([
      'paging-a',
    ]);

    // The Created header keeps the search and the page size, and starts on the first page.
    const header = page(first).querySelector('thead a[href*="sort=created"]')?.getAttribute('href') ?? '';
    expect(Object.fromEntries(new URL(header, OWN_ORIGIN).searchParams)).toEqual({
      q: 'PAGING',
      sort: 'created',
      order: 'asc',
      size: '2',
    });
    expect(rowNames(await admin.get(header))).toEqual(['paging-c', 'paging-a']);
    const nameHeader = page(first).querySelector('th[aria-sort=descending] a')?.getAttribute('href');
    expect(nameHeader).toContain('order=asc');

    // The search form keeps the sorting.
    const form = page(first).querySelector('form[role=search]');
    expect(form?.querySelector('input[name=sort]')?.getAttribute('value')).toBe('name');
    expect(form?.querySelector('input[name=order]')?.getAttribute('value')).toBe('desc');
    expect(form?.querySelector('label[for=project-search]')).not.toBeNull();

    await deactivate(made[1]!);
    expect(rowNames(await admin.get('/admin/projects?q=paging&sort=status&order=desc&size=1'))).toEqual([
      'paging-a',
    ]);
    const byId = await admin.get(`/admin/projects?q=${made[2]!.id.toUpperCase()}`);
    expect(rowNames(byId)).toEqual(['paging-e']);
  });

  it('says when a search matched nothing, and shows an empty state when there are no projects', async () => {
    const noMatch = page(await admin.get('/admin/projects?q=nothing-is-called-this'));
    expect(noMatch.querySelector('table')).toBeNull();
    expect(noMatch.querySelector('h2')?.text).toBe('No Projects Found');
    expect(noMatch.text).toContain('No project name or ID contains “nothing-is-called-this”');

    const empty = await startTestGateway({ listen: false });
    try {
      const fresh = await signInToAdmin(empty);
      const document = page(await fresh.get('/admin/projects'));
      expect(document.querySelector('h2')?.text).toBe('No Projects Found');
      expect(document.querySelector('.text-center a[href="/admin/projects/new"]')?.text).toBe(
        'Create Project',
      );
    } finally {
      await empty.close();
    }
  });

  it('creates a project, refusing missing fields and API errors with the form kept but never the key', async () => {
    const form = page(await admin.get('/admin/projects/new'));
    expect(form.querySelector('#name')?.hasAttribute('required')).toBe(true);
    expect(form.querySelector('#api_key')?.hasAttribute('required')).toBe(true);
    expect(form.querySelector('label[for=provider]')).not.toBeNull();
    expect(form.querySelector('#cache_post_ttl_seconds')?.getAttribute('type')).toBe('number');
    expect(form.querySelector('main button[type=submit]')?.text.trim()).toBe('Create Project');

    const missing = await admin.post('/admin/projects', { name: 'create-missing', api_key: ' ' });
    expect(missing.statusCode).toBe(400);
    expect(page(missing).querySelector('.alert-danger')?.text).toBe('Please fill in all required fields');
    expect(page(missing).querySelector('#name')?.getAttribute('value')).toBe('create-missing');

    await createProject(gateway, 'create-taken');
    const taken = await admin.post('/admin/projects', { name: 'create-taken', api_key: SECRET_KEY });
    expect(taken.statusCode).toBe(409);
    expect(page(taken).querySelector('.alert-danger')?.text).toBe('a project with this name already exists');
    expect(taken.body).not.toContain(SECRET_KEY);

    const unknownProvider = await admin.post('/admin/projects', {
      name: 'create-provider',
      api_key: SECRET_KEY,
      provider: 'no-such-provider',
    });
    expect(unknownProvider.statusCode).toBe(400);
    expect(page(unknownProvider).querySelector('.alert-danger')?.text).toContain('provider');
    expect(page(unknownProvider).querySelector('#provider')?.getAttribute('value')).toBe('no-such-provider');
    expect(unknownProvider.body).not.toContain(SECRET_KEY);

    const created = await admin.post('/admin/projects', {
      name: 'create-ok',
      api_key: SECRET_KEY,
      provider: 'anthropic',
      cache_post_ttl_seconds: '300',
    });
    expect(created.statusCode).toBe(303);
    const stored = (await gateway.store.projects.list()).find((project) => project.name === 'create-ok');
    expect(stored).toMatchObject({ apiKey: SECRET_KEY, provider: 'anthropic', cachePostTtlSeconds: 300 });
    expect(created.headers.location).toBe(`/admin/projects/${stored!.id}`);
    const details = await follow(created);
    expect(page(details).querySelector('.alert-success')?.text).toBe('Project created');
    expect(details.body).not.toContain(SECRET_KEY);
    expect(page(details).text).toContain('POST responses cached for 300 s');
  });

  it('shows a project with timestamps and quick actions, and disables tokens for an inactive one', async () => {
    const project = await createProject(gateway, 'details-<b>one</b>', SECRET_KEY);
    const response = await admin.get(`/admin/projects/${project.id}`);
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain(SECRET_KEY);
    const document = page(response);
    expect(document.querySelector('h1')?.text).toContain('details-<b>one</b>');
    expect(document.querySelector('h1 b')).toBeNull();
    expect(document.querySelector('dd .badge.bg-success')?.text).toBe('Active');
    expect(document.querySelector('#project-id')?.text).toBe(project.id);
    expect(document.querySelector('button[data-copy-target=project-id]')).not.toBeNull();
    expect(document.querySelector('dd code:not(#project-id)')?.text).toBe(project.api_key);
    expect(document.text).toContain('Status:');
    expect(document.querySelectorAll('dd time[data-local-time="true"][data-ts][title]').length).toBe(2);
    const generate = document.querySelector('a.btn.btn-success');
    expect(generate?.text).toContain('Generate Token');
    expect(generate?.getAttribute('href')).toBe(`/admin/tokens/new?project_id=${project.id}`);
    expect(document.querySelector(`a[href="/admin/tokens?project_id=${project.id}"]`)?.text).toBe(
      'View Project Tokens',
    );
    expect(document.querySelector(`a[href="/admin/projects/${project.id}/edit"]`)?.text).toBe('Edit Project');
    expect(
      document
        .querySelector(`form[action="/admin/projects/${project.id}/revoke-tokens"]`)
        ?.getAttribute('data-confirm'),
    ).toBe(
      'Are you sure you want to revoke ALL tokens for project "details-<b>one</b>"? This action cannot be undone.',
    );
    expect(document.querySelector('input#revoke_tokens[name=revoke_tokens]')).not.toBeNull();
    expect(document.querySelector('canvas[data-chart]')).not.toBeNull();

    await deactivate(project);
    const inactive = page(await admin.get(`/admin/projects/${project.id}`));
    expect(inactive.querySelector('a.btn.btn-success')).toBeNull();
    const disabled = inactive.querySelector('button.btn-success[disabled]');
    expect(disabled?.text.trim()).toBe('Generate Token (Project Inactive)');
    expect(inactive.querySelector('dd .badge.bg-secondary')?.text).toBe('Inactive');
    expect(inactive.querySelector('main button.btn-outline-success[type=submit]')?.text.trim()).toBe(
      'Activate Project',
    );
  });

  it('edits a project: a blank key keeps the stored key, and the change is audited as from the admin UI', async () => {
    const project = await createProject(gateway, 'edit-me', SECRET_KEY);
    const form = page(await admin.get(`/admin/projects/${project.id}/edit`));
    expect(form.querySelector('#name')?.getAttribute('value')).toBe('edit-me');
    expect(form.querySelector('#name')?.hasAttribute('required')).toBe(true);
    expect(form.querySelector('#api_key')?.hasAttribute('value')).toBe(false);
    expect(form.querySelector('#is_active')?.hasAttribute('checked')).toBe(true);
    expect(form.querySelector('input[type=hidden][name=is_active]')?.getAttribute('value')).toBe('false');
    expect(form.querySelector('input[name=_method]')?.getAttribute('value')).toBe('PUT');
    expect(form.querySelector('main button[type=submit]')?.text.trim()).toBe('Update Project');

    const updated = await admin.post(`/admin/projects/${project.id}`, {
      _method: 'PUT',
      name: 'edit-renamed',
      api_key: '',
      provider: '',
      cache_post_ttl_seconds: '45',
      is_active: 'true',
    });
    expect(updated.headers.location).toBe(`/admin/projects/${project.id}`);
    expect(page(await follow(updated)).querySelector('.alert-success')?.text).toBe('Project updated');
    expect(await gateway.store.projects.get(project.id)).toMatchObject({
      name: 'edit-renamed',
      apiKey: SECRET_KEY,
      cachePostTtlSeconds: 45,
      isActive: true,
    });
    expect(json<ProjectJson>(await gateway.manage('GET', `/manage/projects/${project.id}`)).api_key).toBe(
      project.api_key,
    );

    const cleared = await admin.post(`/admin/projects/${project.id}`, {
      _method: 'PUT',
      name: 'edit-renamed',
      cache_post_ttl_seconds: '',
      is_active: 'true',
    });
    expect(cleared.statusCode).toBe(303);
    expect((await gateway.store.projects.get(project.id))?.cachePostTtlSeconds).toBeNull();

    await gateway.gateway.audit.flush();
    const audit = await gateway.store.audit.list({ action: 'project.update', projectId: project.id }, 1, 10);
    expect(audit.totalCount).toBe(2);
    expect(JSON.parse(audit.events[0]!.metadata ?? '{}')).toMatchObject({ origin: 'admin-ui' });
  });

  it('re-renders the edit form with the problem for a blank name, a taken name or a masked key', async () => {
    const project = await createProject(gateway, 'edit-errors', SECRET_KEY);
    await createProject(gateway, 'edit-errors-other');
    const blank = await admin.post(`/admin/projects/${project.id}`, { _method: 'PUT', name: '  ' });
    expect(blank.statusCode).toBe(400);
    expect(page(blank).querySelector('.alert-danger')?.text).toBe('Please fill in all required fields');

    const taken = await admin.post(`/admin/projects/${project.id}`, {
      _method: 'PUT',
      name: 'edit-errors-other',
    });
    expect(taken.statusCode).toBe(409);
    expect(page(taken).querySelector('.alert-danger')?.text).toBe('a project with this name already exists');
    expect(page(taken).querySelector('#name')?.getAttribute('value')).toBe('edit-errors-other');

    const masked = await admin.post(`/admin/projects/${project.id}`, {
      _method: 'PUT',
      name: 'edit-errors',
      api_key: project.api_key,
    });
    expect(masked.statusCode).toBe(400);
    expect(page(masked).querySelector('.alert-danger')?.text).toContain('obfuscated');
    expect(await gateway.store.projects.get(project.id)).toMatchObject({
      name: 'edit-errors',
      apiKey: SECRET_KEY,
    });
  });

  it('turns a project off and on, from the edit switch and from the details page', async () => {
    const project = await createProject(gateway, 'toggle-me');
    // The unchecked switch sends only the hidden false.
    const off = await admin.post(`/admin/projects/${project.id}`, {
      _method: 'PUT',
      name: 'toggle-me',
      is_active: 'false',
    });
    expect(off.statusCode).toBe(303);
    expect((await gateway.store.projects.get(project.id))?.isActive).toBe(false);
    expect(page(await follow(off)).querySelector('dd .badge')?.text).toBe('Inactive');

    const on = await admin.post(`/admin/projects/${project.id}/status`, { is_active: 'true' });
    expect(page(await follow(on)).querySelector('.alert-success')?.text).toBe('Project activated');
    expect((await gateway.store.projects.get(project.id))?.isActive).toBe(true);

    const offAgain = await admin.post(`/admin/projects/${project.id}/status`, { is_active: 'false' });
    expect(page(await follow(offAgain)).querySelector('.alert-success')?.text).toBe('Project deactivated');
    expect((await gateway.store.projects.get(project.id))?.isActive).toBe(false);
  });

  it('deactivating with "also revoke all its tokens" revokes them', async () => {
    const issued = await gateway.issueToken();
    const second = await gateway.createToken(issued.projectId);
    const response = await admin.post(`/admin/projects/${issued.projectId}/status`, {
      is_active: 'false',
      revoke_tokens: 'true',
    });
    expect(page(await follow(response)).querySelector('.alert-success')?.text).toBe(
      'Project deactivated and all its tokens revoked',
    );
    expect((await gateway.store.projects.get(issued.projectId))?.isActive).toBe(false);
    expect((await gateway.tokenRecord(issued.tokenId)).isActive).toBe(false);
    expect((await gateway.tokenRecord(second.id)).isActive).toBe(false);
  });

  it('revokes all tokens from the list and from the details page, each returning where it came from', async () => {
    const issued = await gateway.issueToken();
    const second = await gateway.createToken(issued.projectId);
    const fromList = await admin.post(`/admin/projects/${issued.projectId}/revoke-tokens`, {
      return_to: 'list',
    });
    expect(fromList.headers.location).toBe('/admin/projects');
    expect(page(await follow(fromList)).querySelector('.alert-success')?.text).toBe(
      'Revoked 2 tokens (0 were already revoked)',
    );
    expect((await gateway.tokenRecord(issued.tokenId)).isActive).toBe(false);
    expect((await gateway.tokenRecord(second.id)).isActive).toBe(false);

    const third = await gateway.createToken(issued.projectId);
    const fromDetails = await admin.post(`/admin/projects/${issued.projectId}/revoke-tokens`);
    expect(fromDetails.headers.location).toBe(`/admin/projects/${issued.projectId}`);
    expect(page(await follow(fromDetails)).querySelector('.alert-success')?.text).toBe(
      'Revoked 1 token (2 were already revoked)',
    );
    expect((await gateway.tokenRecord(third.id)).isActive).toBe(false);
  });

  it('answers the 404 page for an unknown project, and refuses deletion with a notice', async () => {
    for (const path of ['/admin/projects/no-such-project', '/admin/projects/no-such-project/edit']) {
      const missing = await admin.get(path);
      expect(missing.statusCode).toBe(404);
      expect(page(missing).querySelector('.alert-danger')?.text).toContain('project not found');
    }

    const project = await createProject(gateway, 'delete-me');
    const refused = await admin.post(`/admin/projects/${project.id}`, { _method: 'DELETE' });
    expect(refused.headers.location).toBe(`/admin/projects/${project.id}`);
    expect(page(await follow(refused)).querySelector('.alert-danger')?.text).toContain(
      'Projects cannot be deleted',
    );
    expect(await gateway.store.projects.get(project.id)).toBeDefined();
  });

  it('refuses a post without the CSRF field and changes nothing', async () => {
    const project = await createProject(gateway, 'csrf-guarded');
    const response = await gateway.inject({
      method: 'POST',
      url: `/admin/projects/${project.id}`,
      headers: {
        cookie: admin.cookie,
        origin: OWN_ORIGIN,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams({ _method: 'PUT', name: 'csrf-changed', is_active: 'false' }).toString(),
    });
    expect(response.statusCode).toBe(403);
    expect(await gateway.store.projects.get(project.id)).toMatchObject({
      name: 'csrf-guarded',
      isActive: true,
    });
  });
});
