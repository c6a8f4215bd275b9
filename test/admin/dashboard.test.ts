import { parse } from 'node-html-parser';
import type { HTMLElement } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { UsageDelta } from '../../src/store/index.js';
import { page, signInToAdmin } from '../helpers/admin-client.js';
import type { AdminClient } from '../helpers/admin-client.js';
import { ManualClock } from '../helpers/clock.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { createProject } from '../helpers/management.js';

const START = new Date('2025-03-05T10:20:00.000Z');
/** Where the clock stands once the short-lived token has expired. */
const NOW = new Date('2025-03-05T10:50:00.000Z');

interface ChartData {
  labels: string[];
  datasets: { label: string; data: number[] }[];
}

/** A chart's data block, parsed. */
function chartData(document: HTMLElement, id: string): ChartData {
  const script = document.querySelector(`script[type="application/json"]#${id}`);
  if (script === null) throw new Error(`no data block ${id}`);
  return JSON.parse(script.text) as ChartData;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** The first column of a ranking table, busiest first. */
function rankedNames(document: HTMLElement, id: string): string[] {
  return document
    .querySelectorAll(`#${id} tbody tr`)
    .map((row) => row.querySelector('td')?.text.trim() ?? '');
}

describe('admin UI dashboard', () => {
  let gateway: TestGateway;
  let admin: AdminClient;
  let busyTokenId: string;

  beforeAll(async () => {
    const clock = new ManualClock(START);
    gateway = await startTestGateway({ listen: false, clock });
    const busy = await createProject(gateway, 'busy-project');
    const quiet = await createProject(gateway, 'quiet-project');
    const dormant = await createProject(gateway, 'dormant-project');
    await gateway.manage('PATCH', `/manage/projects/${dormant.id}`, { is_active: false });
    busyTokenId = (await gateway.createToken(busy.id, { name: 'busy-main' })).id;
    const spareTokenId = (await gateway.createToken(busy.id)).id;
    const shortTokenId = (await gateway.createToken(quiet.id, { duration_minutes: 10 })).id;
    const revoked = await gateway.createToken(quiet.id);
    expect((await gateway.manage('DELETE', `/manage/tokens/${revoked.id}`)).statusCode).toBe(204);
    clock.set(NOW);

    const row = (overrides: Partial<UsageDelta> & Pick<UsageDelta, 'hour'>): UsageDelta => ({
      projectId: busy.id,
      tokenId: busyTokenId,
      model: 'gpt-4o',
      requests: 1,
      inputTokens: 0,
      outputTokens: 0,
      cachedTokens: 0,
      reasoningTokens: 0,
      cacheHits: 0,
      errors: 0,
      estimatedRequests: 0,
      unpricedRequests: 0,
      costUsd: 0,
      ...overrides,
    });
    await gateway.store.usage.add([
      // Today (UTC): 8 requests.
      row({
        hour: new Date('2025-03-05T09:00:00Z'),
        requests: 5,
        inputTokens: 500,
        outputTokens: 50,
        errors: 1,
        cacheHits: 2,
        costUsd: 0.05,
      }),
      row({
        hour: new Date('2025-03-05T10:00:00Z'),
        tokenId: spareTokenId,
        model: 'gpt-4o-mini',
        requests: 3,
      }),
      // Yesterday, within the last 24 hours: 2 requests.
      row({
        hour: new Date('2025-03-04T12:00:00Z'),
        projectId: quiet.id,
        tokenId: shortTokenId,
        model: 'claude-sonnet-4',
        requests: 2,
        inputTokens: 40,
        outputTokens: 4,
        costUsd: 0.02,
      }),
      // This week, not today: 4 requests.
      row({
        hour: new Date('2025-02-28T08:00:00Z'),
        projectId: quiet.id,
        tokenId: shortTokenId,
        model: 'claude-sonnet-4',
        requests: 4,
        costUsd: 0.04,
      }),
      // Within 30 days, not this week: 100 requests.
      row({ hour: new Date('2025-02-20T05:00:00Z'), requests: 100, costUsd: 1 }),
    ]);
    admin = await signInToAdmin(gateway);
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('counts projects and active, expired and revoked tokens as the API holds them', async () => {
    const response = await admin.get('/admin/dashboard');
    expect(response.statusCode).toBe(200);
    const document = page(response);
    expect(document.querySelector('h1')?.text.trim()).toBe('Dashboard');
    const stat = (name: string) => document.querySelector(`[data-stat="${name}"]`)?.text.trim();
    expect(stat('projects')).toBe('3');
    expect(stat('active-projects')).toBe('2');
    expect(stat('tokens')).toBe('4');
    expect(stat('active-tokens')).toBe('2');
    expect(stat('expired-tokens')).toBe('1');
    expect(stat('revoked-tokens')).toBe('1');
    expect(document.querySelector('[data-stat="expired-tokens"]')?.parentNode?.text).toContain('1 expired');
    // No request went through the proxy: the tokens' own counters are still at zero.
    expect(stat('total-requests')).toBe('0');
  });

  it("shows today's and this week's requests and cost from the usage rows", async () => {
    const document = page(await admin.get('/admin/dashboard'));
    const stat = (name: string) => document.querySelector(`[data-stat="${name}"]`)?.text.trim();
    expect(stat('requests-today')).toBe('8');
    expect(stat('requests-week')).toBe('14');
    expect(stat('cost-week')).toBe('$0.11');
  });

  it('charts the last 24 hours by default, with the numbers of the usage rows', async () => {
    const document = page(await admin.get('/admin/dashboard'));
    const requests = chartData(document, 'dashboard-requests-data');
    expect(requests.labels).toHaveLength(25);
    expect(requests.labels[0]).toBe('2025-03-04T10:00:00.000Z');
    expect(requests.datasets.map((dataset) => [dataset.label, sum(dataset.data)])).toEqual([
      ['Requests', 10],
      ['Errors', 1],
      ['Cache hits', 2],
    ]);
    expect(requests.datasets[0]?.data[requests.labels.indexOf('2025-03-05T09:00:00.000Z')]).toBe(5);
    const tokens = chartData(document, 'dashboard-tokens-data');
    expect(tokens.datasets.map((dataset) => sum(dataset.data))).toEqual([540, 54]);
    const cost = chartData(document, 'dashboard-cost-data');
    expect(sum(cost.datasets[0]!.data)).toBeCloseTo(0.07, 6);
    expect(document.querySelector('[data-usage-total="Requests"]')?.text).toBe('10');
    expect(document.querySelector('.btn-group a.active')?.text.trim()).toBe('Last 24 hours');
  });

  it('lists the busiest project first with its name, and the busiest tokens and models', async () => {
    const document = page(await admin.get('/admin/dashboard'));
    expect(rankedNames(document, 'top-projects')).toEqual(['busy-project', 'quiet-project']);
    const busiest = document.querySelector('#top-projects tbody tr');
    expect(busiest?.querySelectorAll('td').map((cell) => cell.text.trim())).toEqual([
      'busy-project',
      '8',
      '500 / 50',
      '$0.05',
    ]);
    expect(busiest?.querySelector('a')?.getAttribute('href')).toMatch(/^\/admin\/projects\//);

    const topToken = document.querySelector('#top-tokens tbody tr a');
    expect(topToken?.getAttribute('href')).toBe(`/admin/tokens/${busyTokenId}`);
    expect(topToken?.text).toContain('busy-main');
    expect(topToken?.querySelector('code')?.text).toMatch(/\*/);
    expect(rankedNames(document, 'top-models')).toEqual(['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4']);
  });

  it('switches the charts and rankings to the range picked', async () => {
    const first = page(await admin.get('/admin/dashboard'));
    const picker = first.querySelectorAll('.btn-group a').map((link) => link.getAttribute('href'));
    expect(picker).toEqual([
      '/admin/dashboard?range=24h',
      '/admin/dashboard?range=7d',
      '/admin/dashboard?range=30d',
    ]);

    const month = page(await admin.get('/admin/dashboard?range=30d'));
    expect(month.querySelector('.btn-group a.active')?.text.trim()).toBe('Last 30 days');
    expect(month.querySelector('#usage-heading')?.text).toContain('Last 30 days');
    const requests = chartData(month, 'dashboard-requests-data');
    expect(sum(requests.datasets[0]!.data)).toBe(114);
    expect(month.querySelector('#top-projects tbody tr td:nth-child(2)')?.text.trim()).toBe('108');

    const week = page(await admin.get('/admin/dashboard?range=7d'));
    expect(sum(chartData(week, 'dashboard-requests-data').datasets[0]!.data)).toBe(14);
    expect(rankedNames(week, 'top-projects')).toEqual(['busy-project', 'quiet-project']);
    expect(week.querySelector('#top-projects tbody tr:nth-child(2) td:nth-child(2)')?.text.trim()).toBe('6');
    // The week's cards do not depend on the range.
    expect(week.querySelector('[data-stat="requests-today"]')?.text).toBe('8');
  });

  it('offers the quick actions and shows the system status with the server time', async () => {
    const response = await admin.get('/admin/dashboard');
    const document = page(response);
    const link = (text: string) =>
      document
        .querySelectorAll('a')
        .find((anchor) => anchor.text.trim() === text)
        ?.getAttribute('href');
    expect(link('Create New Project')).toBe('/admin/projects/new');
    expect(link('Generate Token')).toBe('/admin/tokens/new');
    expect(document.querySelector('#backend-status')?.text.trim()).toBe('Online');
    const time = document.querySelector('#server-time[data-local-time="true"][data-ts][title]');
    expect(time?.getAttribute('data-ts')).toBe(NOW.toISOString());
    expect(time?.getAttribute('title')).toBe(NOW.toISOString());
    expect(document.querySelector('script[src^="/admin/assets/chart."]')).not.toBeNull();
    expect(parse(response.body).querySelectorAll('canvas[data-chart]')).toHaveLength(3);
  });
});
