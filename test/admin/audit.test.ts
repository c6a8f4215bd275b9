import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parse } from 'node-html-parser';

import type { AuditEventRecord, AuditFilter } from '../../src/store/index.js';
import { page, signInToAdmin } from '../helpers/admin-client.js';
import type { AdminClient } from '../helpers/admin-client.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { createProject } from '../helpers/management.js';

/** The text of a page's `pre code` block (the shared parser keeps `pre` as raw text, so parse it as HTML). */
function preformatted(response: LightMyRequestResponse): string | undefined {
  return parse(response.body, { blockTextElements: { script: true, style: true } }).querySelector('pre code')
    ?.text;
}

/** The ids of the events a list page links to, in its order. */
function listedIds(response: LightMyRequestResponse): string[] {
  return page(response)
    .querySelectorAll('table a[href^="/admin/audit/"]')
    .map((link) => (link.getAttribute('href') ?? '').slice('/admin/audit/'.length));
}

describe('admin UI audit pages', () => {
  let gateway: TestGateway;
  let admin: AdminClient;
  let projectId: string;

  /** The events the store holds for a filter, newest first, as the list's first page should show them. */
  async function stored(filter: AuditFilter, size = 20): Promise<AuditEventRecord[]> {
    await gateway.gateway.audit.flush();
    return (await gateway.store.audit.list(filter, 1, size)).events;
  }

  beforeAll(async () => {
    gateway = await startTestGateway({ listen: false });
    admin = await signInToAdmin(gateway, { headers: { 'user-agent': 'AuditPageBrowser/1.0' } });
    const project = await createProject(gateway, 'audit-page-project');
    projectId = project.id;
    await gateway.createToken(projectId);
    await gateway.createToken(projectId, { name: 'second' });
    // A refused call, for the failure outcome and its reason.
    await gateway.manage('POST', '/manage/tokens', { project_id: projectId, duration_minutes: -5 });
    for (let index = 0; index < 23; index += 1) await createProject(gateway, `pager-probe-${String(index)}`);
    await gateway.gateway.audit.flush();
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('lists the events made through the API with the original columns, badges and details links', async () => {
    const newest = (await stored({}))[0]!;
    const response = await admin.get('/admin/audit');
    expect(response.statusCode).toBe(200);
    const document = page(response);
    expect(document.querySelector('h1')?.text.trim()).toBe('Audit Events');
    expect(document.querySelector('h1 i.bi.bi-shield-check')?.getAttribute('aria-hidden')).toBe('true');

    const form = document.querySelector('main form[method="get"]');
    expect(form?.getAttribute('action')).toBe('/admin/audit');
    expect(form?.querySelector('input[name="search"]')?.getAttribute('placeholder')).toBe(
      'Search events (action, actor, IP, path, request id, ...)',
    );
    const submit = form?.querySelector('button[type="submit"]');
    expect(submit?.querySelector('i.bi-search')).not.toBeNull();
    expect(submit?.text.trim()).toBe('Search');
    const clear = [...(form?.querySelectorAll('a.btn') ?? [])].find((link) => link.text.trim() === 'Clear');
    expect(clear?.getAttribute('href')).toBe('/admin/audit');
    expect(clear?.querySelector('i.bi-x-circle')).not.toBeNull();

    const table = document.querySelector('table.table-hover');
    expect(table?.querySelectorAll('thead th[scope="col"]').map((th) => th.text.trim())).toEqual([
      'Time',
      'Action',
      'Actor',
      'Outcome',
      'IP Address',
      'Actions',
    ]);
    const rows = table?.querySelectorAll('tbody tr') ?? [];
    expect(rows).toHaveLength(20);
    const first = rows[0]!.querySelectorAll('td');
    expect(first[0]?.querySelector('time')?.getAttribute('data-ts')).toBe(newest.timestamp.toISOString());
    expect(first[0]?.text.trim()).toMatch(/^\d{4}-\d{2}-\d{2} /);
    expect(first[1]?.querySelector('.badge')?.text).toBe(newest.action);
    expect(first[2]?.text.trim()).toBe('management_api');
    expect(first[3]?.querySelector('.badge.bg-success')?.text).toBe('success');
    expect(first[5]?.querySelector('a')?.getAttribute('href')).toBe(`/admin/audit/${newest.id}`);
  });

  it('shows a failed call with a red outcome badge and a refusal with an amber one', async () => {
    const failed = await admin.get('/admin/audit?outcome=failure');
    const badges = page(failed).querySelectorAll('tbody tr td:nth-child(4) .badge');
    expect(badges.length).toBeGreaterThan(0);
    for (const badge of badges) expect(badge.classNames).toContain('bg-danger');

    await gateway.inject({
      method: 'GET',
      url: '/manage/projects',
      headers: { authorization: 'Bearer wrong-token' },
    });
    const denied = page(await admin.get('/admin/audit?outcome=denied'));
    expect(denied.querySelector('tbody tr td:nth-child(4) .badge.bg-warning')?.text).toBe('denied');
  });

  it('narrows the list by search, and its pager keeps the search and every filter', async () => {
    const expected = await stored({ search: 'pager-probe' }, 100);
    expect(expected).toHaveLength(23);
    const first = await admin.get('/admin/audit?search=pager-probe&action=project.create');
    const document = page(first);
    expect(listedIds(first)).toEqual(expected.slice(0, 20).map((event) => event.id));
    expect(document.querySelector('input[name="search"]')?.getAttribute('value')).toBe('pager-probe');
    expect(document.querySelector('input[name="action"]')?.getAttribute('value')).toBe('project.create');

    const next = document.querySelector('.pagination a[rel="next"]')?.getAttribute('href') ?? '';
    const nextQuery = new URL(next, 'http://admin').searchParams;
    expect(nextQuery.get('search')).toBe('pager-probe');
    expect(nextQuery.get('action')).toBe('project.create');
    expect(nextQuery.get('page')).toBe('2');
    expect(nextQuery.get('page_size')).toBe('20');

    const second = await admin.get(next);
    expect(listedIds(second)).toEqual(expected.slice(20).map((event) => event.id));
    const prev = page(second).querySelector('.pagination a[rel="prev"]')?.getAttribute('href') ?? '';
    expect(new URL(prev, 'http://admin').searchParams.get('search')).toBe('pager-probe');
    expect(new URL(prev, 'http://admin').searchParams.get('page')).toBe('1');
  });

  it('takes the page size from page_size (at most 100) and shows the last page for a page past the end', async () => {
    const expected = await stored({ search: 'pager-probe' }, 100);
    expect(listedIds(await admin.get('/admin/audit?search=pager-probe&page_size=5'))).toEqual(
      expected.slice(0, 5).map((event) => event.id),
    );
    const all = await admin.get('/admin/audit?search=pager-probe&page_size=500');
    expect(listedIds(all)).toEqual(expected.map((event) => event.id));
    const past = await admin.get('/admin/audit?search=pager-probe&page=9');
    expect(past.statusCode).toBe(200);
    expect(listedIds(past)).toEqual(expected.slice(20).map((event) => event.id));
  });

  it('forwards each filter to the API', async () => {
    const tokenCreate = (await stored({ action: 'token.create', outcome: 'success' }))[0]!;
    const cases: [string, string, AuditFilter][] = [
      ['action', 'token.create', { action: 'token.create' }],
      ['outcome', 'failure', { outcome: 'failure' }],
      ['project_id', projectId, { projectId }],
      ['actor', 'management_api', { actor: 'management_api' }],
      ['client_ip', tokenCreate.clientIp!, { clientIp: tokenCreate.clientIp! }],
      ['request_id', tokenCreate.requestId!, { requestId: tokenCreate.requestId! }],
      ['correlation_id', tokenCreate.correlationId!, { correlationId: tokenCreate.correlationId! }],
      ['method', 'POST', { method: 'POST' }],
      ['path', '/manage/tokens', { path: '/manage/tokens' }],
      ['start_time', tokenCreate.timestamp.toISOString(), { startTime: tokenCreate.timestamp }],
      ['end_time', tokenCreate.timestamp.toISOString(), { endTime: tokenCreate.timestamp }],
    ];
    for (const [name, value, filter] of cases) {
      const expected = (await stored(filter)).map((event) => event.id);
      const response = await admin.get(`/admin/audit?${new URLSearchParams({ [name]: value }).toString()}`);
      expect(response.statusCode, name).toBe(200);
      expect(listedIds(response), name).toEqual(expected);
      expect(page(response).querySelector(`[name="${name}"]`)?.toString(), name).toContain(value);
    }
    const onlyTokenCreates = page(await admin.get('/admin/audit?action=token.create'));
    const actions = onlyTokenCreates.querySelectorAll('tbody td:nth-child(2) .badge').map((b) => b.text);
    expect(actions).toEqual(['token.create', 'token.create', 'token.create']);
  });

  it('shows a filter the API refuses as a notice on the list page, with the values typed', async () => {
    const response = await admin.get('/admin/audit?start_time=last-tuesday&search=x');
    expect(response.statusCode).toBe(400);
    const document = page(response);
    expect(document.querySelector('.alert-danger')?.text).toContain('start_time must be an ISO 8601');
    expect(document.querySelector('input[name="start_time"]')?.getAttribute('value')).toBe('last-tuesday');
    expect(document.querySelector('input[name="search"]')?.getAttribute('value')).toBe('x');
  });

  it('shows an event with its identifiers, network facts and parsed details', async () => {
    const event = (await stored({ action: 'token.create', projectId }, 100)).find(
      (one) => one.metadata?.includes('second') === true,
    )!;
    const response = await admin.get(`/admin/audit/${event.id}`);
    expect(response.statusCode).toBe(200);
    const document = page(response);
    expect(document.querySelector('h1')?.text.trim()).toBe('Audit Event Details');
    const back = document.querySelectorAll('a').find((link) => link.text.trim() === 'Back to List');
    expect(back?.getAttribute('href')).toBe('/admin/audit');
    expect(document.querySelector('h5.card-title')?.text).toBe(`Event #${event.id}`);

    const valueOf = (label: string) =>
      document.querySelectorAll('td').find((cell) => cell.text.trim() === label)?.nextElementSibling;
    const columns = document.querySelectorAll('.col-md-6');
    expect(columns[0]?.querySelectorAll('td').map((td) => td.text.trim())).toEqual(
      expect.arrayContaining(['Timestamp:', 'Action:', 'Actor:', 'Outcome:']),
    );
    expect(columns[1]?.querySelectorAll('td').map((td) => td.text.trim())).toEqual(
      expect.arrayContaining(['IP Address:', 'User Agent:', 'HTTP Method:', 'Endpoint:']),
    );
    expect(valueOf('Timestamp:')?.querySelector('time')?.getAttribute('data-ts')).toBe(
      event.timestamp.toISOString(),
    );
    expect(valueOf('Action:')?.querySelector('.badge')?.text).toBe('token.create');
    expect(valueOf('Outcome:')?.querySelector('.badge.bg-success')?.text).toBe('success');
    expect(valueOf('IP Address:')?.querySelector('code')?.text).toBe(event.clientIp);
    expect(valueOf('HTTP Method:')?.text.trim()).toBe('POST');
    expect(valueOf('Endpoint:')?.text.trim()).toBe('/manage/tokens');

    const headings = document.querySelectorAll('h6.text-muted').map((h) => h.text.trim());
    expect(headings).toEqual(['Identifiers', 'Additional Details']);
    const project = valueOf('Project ID:');
    expect(project?.querySelector('code')?.text).toBe(projectId);
    expect(project?.querySelector('a')?.getAttribute('href')).toBe(`/admin/projects/${projectId}`);
    expect(valueOf('Token ID:')?.text.trim()).toBe(event.tokenId);
    expect(valueOf('Request ID:')?.text.trim()).toBe(event.requestId);
    expect(valueOf('Correlation ID:')?.text.trim()).toBe(event.correlationId);

    const details = preformatted(response) ?? '';
    expect(JSON.parse(details)).toEqual(JSON.parse(event.metadata!));
    expect(details).toContain('\n  "token_name": "second"');
  });

  it('shows what the admin UI forwarded and a refused call’s reason on its details page', async () => {
    const viewed = (await stored({ action: 'audit.list' }))[0]!;
    const viewedResponse = await admin.get(`/admin/audit/${viewed.id}`);
    const viewedPage = page(viewedResponse);
    const userAgent = viewedPage.querySelectorAll('td').find((td) => td.text.trim() === 'User Agent:');
    expect(userAgent?.nextElementSibling?.text.trim()).toBe('AuditPageBrowser/1.0');
    expect(JSON.parse(preformatted(viewedResponse) ?? '{}')).toMatchObject({
      origin: 'admin-ui',
    });

    const failed = (await stored({ outcome: 'failure', action: 'token.create' }))[0]!;
    expect(failed.reason).not.toBeNull();
    const document = page(await admin.get(`/admin/audit/${failed.id}`));
    expect(document.querySelectorAll('h6.text-muted').map((h) => h.text.trim())).toContain(
      'Error Information',
    );
    expect(document.querySelector('.card .alert-danger')?.text).toBe(failed.reason);
    expect(document.querySelector('.badge.bg-danger')?.text).toBe('failure');
  });

  it('shows metadata that is not JSON as it was stored', async () => {
    await gateway.store.audit.insert({
      id: 'broken-metadata-event',
      timestamp: new Date(),
      action: 'project.update',
      actor: 'management_api',
      projectId: null,
      requestId: null,
      correlationId: null,
      clientIp: null,
      method: null,
      path: null,
      userAgent: null,
      outcome: 'error',
      reason: null,
      tokenId: null,
      metadata: '{not json <b>',
    });
    const response = await admin.get('/admin/audit/broken-metadata-event');
    expect(response.statusCode).toBe(200);
    expect(preformatted(response)).toBe('{not json <b>');
    expect(response.body).not.toContain('<b>');
  });

  it('answers the HTML 404 page for an unknown or malformed event id', async () => {
    for (const id of ['no-such-event', 'bad.id']) {
      const response = await admin.get(`/admin/audit/${id}`);
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toContain('text/html');
      expect(page(response).querySelector('.alert-danger')?.text).toContain('audit event not found');
    }
  });

  it('shows the empty state when nothing matches', async () => {
    const response = await admin.get('/admin/audit?search=nothing-matches-this-4f1a');
    expect(response.statusCode).toBe(200);
    const empty = page(response).querySelector('div.text-center.py-5');
    expect(empty?.querySelector('i.bi-shield-x')).not.toBeNull();
    expect(empty?.text).toContain('No Audit Events Found');
    expect(page(response).querySelector('table')).toBeNull();
  });

  it('shows a notice instead of an error when audit events are not kept in the database', async () => {
    const logOnly = await startTestGateway({ listen: false, env: { AUDIT_STORE_IN_DB: 'false' } });
    try {
      const browser = await signInToAdmin(logOnly);
      const list = await browser.get('/admin/audit?search=x');
      expect(list.statusCode).toBe(200);
      const document = page(list);
      expect(document.querySelector('.alert-warning')?.text).toContain('AUDIT_STORE_IN_DB=true');
      expect(document.querySelector('table')).toBeNull();
      expect(document.querySelector('input[name="search"]')?.getAttribute('value')).toBe('x');
      const details = await browser.get('/admin/audit/01J00000000000000000000000');
      expect(details.statusCode).toBe(200);
      expect(page(details).querySelector('.alert-warning')?.text).toContain('AUDIT_STORE_IN_DB=true');
    } finally {
      await logOnly.close();
    }
  });
});
