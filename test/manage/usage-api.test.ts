import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { UsageDelta } from '../../src/store/index.js';
import { UsageRollup, createPriceTable } from '../../src/usage/index.js';
import { ManualClock } from '../helpers/clock.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { auditEvents, json } from '../helpers/management.js';
import { TEST_DIALECTS } from '../helpers/test-store.js';

interface UsageJson {
  group_by: string;
  from: string;
  to: string;
  by: string[];
  buckets: Record<string, unknown>[];
  totals: Record<string, number>;
  cost_is_estimate: boolean;
  unpriced_models: (string | null)[];
}

const NOW = new Date('2025-03-02T10:30:00.000Z');

function delta(overrides: Partial<UsageDelta> = {}): UsageDelta {
  return {
    projectId: 'project-a',
    tokenId: 'token-a',
    model: 'gpt-4o',
    hour: new Date('2025-03-02T09:00:00.000Z'),
    requests: 1,
    inputTokens: 100,
    outputTokens: 10,
    cachedTokens: 20,
    reasoningTokens: 0,
    cacheHits: 0,
    errors: 0,
    estimatedRequests: 0,
    unpricedRequests: 0,
    costUsd: 0.001,
    ...overrides,
  };
}

describe.each(TEST_DIALECTS)('usage API (%s)', (dialect) => {
  let t: TestGateway;
  const clock = new ManualClock(NOW);

  async function usage(query = ''): Promise<UsageJson> {
    const response = await t.manage('GET', `/manage/usage${query === '' ? '' : `?${query}`}`);
    expect(response.statusCode, response.body).toBe(200);
    return json<UsageJson>(response);
  }

  async function refused(query: string): Promise<string> {
    const response = await t.manage('GET', `/manage/usage?${query}`);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = json<{ error: string; code: string }>(response);
    expect(body.code).toBe('validation_failed');
    return body.error;
  }

  beforeAll(async () => {
    t = await startTestGateway({ dialect, clock, listen: false });
    await t.store.usage.add([
      delta(),
      delta({ hour: new Date('2025-03-02T09:40:00.000Z'), errors: 1, cacheHits: 1, inputTokens: 0 }),
      delta({ tokenId: 'token-b', model: 'claude-sonnet-4', costUsd: 0.002 }),
      delta({ hour: new Date('2025-03-01T11:00:00.000Z'), estimatedRequests: 1 }),
      delta({ hour: new Date('2025-03-01T09:00:00.000Z') }),
      delta({ projectId: 'project-b', model: 'local-llama', unpricedRequests: 1, costUsd: 0 }),
      delta({ projectId: 'project-b', model: '', tokenId: '', unpricedRequests: 1, costUsd: 0 }),
      delta({ hour: new Date('2025-02-20T05:00:00.000Z'), requests: 7 }),
    ]);
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers the last 24 hours by hour by default, with totals, labelled an estimate', async () => {
    const body = await usage();
    expect(body).toMatchObject({
      group_by: 'hour',
      from: '2025-03-01T10:00:00.000Z',
      to: '2025-03-02T11:00:00.000Z',
      by: [],
      cost_is_estimate: true,
      unpriced_models: [null, 'local-llama'],
    });
    expect(body.buckets).toEqual([
      {
        period_start: '2025-03-01T11:00:00.000Z',
        requests: 1,
        input_tokens: 100,
        output_tokens: 10,
        cached_tokens: 20,
        reasoning_tokens: 0,
        cache_hits: 0,
        errors: 0,
        estimated_requests: 1,
        unpriced_requests: 0,
        estimated_cost_usd: 0.001,
      },
      {
        period_start: '2025-03-02T09:00:00.000Z',
        requests: 5,
        input_tokens: 400,
        output_tokens: 50,
        cached_tokens: 100,
        reasoning_tokens: 0,
        cache_hits: 1,
        errors: 1,
        estimated_requests: 0,
        unpriced_requests: 2,
        estimated_cost_usd: 0.004,
      },
    ]);
    expect(body.totals).toEqual({
      requests: 6,
      input_tokens: 500,
      output_tokens: 60,
      cached_tokens: 120,
      reasoning_tokens: 0,
      cache_hits: 1,
      errors: 1,
      estimated_requests: 1,
      unpriced_requests: 2,
      estimated_cost_usd: 0.005,
    });
  });

  it('filters by project, token and model, and breaks periods down', async () => {
    const range = 'from=2025-03-01T00:00:00Z&to=2025-03-03T00:00:00Z';
    expect((await usage(`${range}&project_id=project-b`)).totals.requests).toBe(2);
    expect((await usage(`${range}&token_id=token-b`)).totals.requests).toBe(1);
    expect((await usage(`${range}&model=gpt-4o&project_id=project-a`)).totals.requests).toBe(4);
    expect((await usage(`${range}&project_id=`)).totals.requests).toBe(7);
    const broken = await usage(`${range}&project_id=project-b&by=model,token`);
    expect(broken.by).toEqual(['model', 'token']);
    expect(broken.buckets.map((b) => [b.period_start, b.model, b.token_id, b.requests])).toEqual([
      ['2025-03-02T09:00:00.000Z', null, null, 1],
      ['2025-03-02T09:00:00.000Z', 'local-llama', 'token-a', 1],
    ]);
    expect(broken.buckets[0]).not.toHaveProperty('project_id');
    const byProject = await usage(`${range}&by=project&group_by=day`);
    expect(byProject.buckets.map((b) => [b.period_start, b.project_id, b.requests])).toEqual([
      ['2025-03-01T00:00:00.000Z', 'project-a', 2],
      ['2025-03-02T00:00:00.000Z', 'project-a', 3],
      ['2025-03-02T00:00:00.000Z', 'project-b', 2],
    ]);
  });

  it('sums a whole range into one period with group_by=all, per breakdown', async () => {
    const range = 'from=2025-03-01T00:30:00Z&to=2025-03-03T00:00:00Z&group_by=all';
    const byProject = await usage(`${range}&by=project`);
    expect(byProject.buckets.map((b) => [b.period_start, b.project_id, b.requests])).toEqual([
      ['2025-03-01T00:00:00.000Z', 'project-a', 5],
      ['2025-03-01T00:00:00.000Z', 'project-b', 2],
    ]);
    const whole = await usage(range);
    expect(whole.buckets).toHaveLength(1);
    expect(whole.buckets[0]?.requests).toBe(whole.totals.requests);
    expect((await usage('from=2024-01-01&to=2024-02-01&group_by=all')).buckets).toEqual([]);
    expect(await refused('from=2024-01-01&to=2025-03-01&group_by=all')).toContain('366 days');
  });

  it('groups by UTC day over a range rounded out to whole days', async () => {
    const body = await usage('group_by=day&from=2025-02-20T12:00:00%2B01:00&to=2025-03-02');
    expect(body).toMatchObject({ from: '2025-02-20T00:00:00.000Z', to: '2025-03-02T00:00:00.000Z' });
    expect(body.buckets.map((b) => [b.period_start, b.requests])).toEqual([
      ['2025-02-20T00:00:00.000Z', 7],
      ['2025-03-01T00:00:00.000Z', 2],
    ]);
    expect(body.totals.requests).toBe(9);
    expect(body.unpriced_models).toEqual([]);
    // An unencoded `+` of an offset arrives as a space.
    const spaced = await usage('group_by=day&from=2025-02-20T12:00:00+01:00&to=2025-03-02');
    expect(spaced.from).toBe('2025-02-20T00:00:00.000Z');
  });

  it('writes what a usage rollup recorded, cost from the price table', async () => {
    const rollup = new UsageRollup({
      repository: t.store.usage,
      prices: createPriceTable(
        new Map([['gpt-4o', { inputPerMillion: 2.5, outputPerMillion: 10, cachedInputPerMillion: 1.25 }]]),
      ),
      logger: t.gateway.logger,
      flushIntervalMs: 0,
    });
    rollup.record({
      projectId: 'project-rollup',
      tokenId: 'token-r',
      model: 'gpt-4o-2024-08-06',
      at: Date.parse('2025-03-02T08:05:00.000Z'),
      usage: { inputTokens: 1000, outputTokens: 100, cachedTokens: 0, reasoningTokens: 0, estimated: false },
      cacheHit: false,
      error: false,
    });
    await rollup.close();
    const body = await usage('project_id=project-rollup');
    expect(body.totals).toMatchObject({ requests: 1, input_tokens: 1000, estimated_cost_usd: 0.0035 });
  });

  it('refuses bad input with every problem and the JSON error shape', async () => {
    expect(await refused('from=yesterday')).toBe(
      'from must be an RFC 3339 date-time such as 2025-03-01T12:00:00Z, or a date',
    );
    expect(await refused('from=2025-02-30T00:00:00Z')).toContain('from must be an RFC 3339 date-time');
    expect(await refused('from=2025-03-01T10:00:00')).toContain('from must be an RFC 3339 date-time');
    expect(await refused('from=2025-03-02T00:00:00Z&to=2025-03-01T00:00:00Z')).toBe('from must be before to');
    expect(await refused('from=2025-03-02T00:00:00Z&to=2025-03-02T00:00:00Z')).toBe('from must be before to');
    expect(await refused('from=2025-04-01T00:00:00Z')).toBe('from must be before to (which defaults to now)');
    expect(await refused('from=2025-01-01T00:00:00Z&to=2025-03-01T00:00:00Z')).toBe(
      'the range may span at most 31 days with group_by=hour (group by day for up to 366 days)',
    );
    expect(await refused('group_by=day&from=2023-01-01&to=2025-01-01')).toBe(
      'the range may span at most 366 days with group_by=day',
    );
    expect(await refused('group_by=week')).toBe('group_by must be one of: hour, day, all');
    expect(await refused('by=project,colour&from=nope')).toBe(
      'from must be an RFC 3339 date-time such as 2025-03-01T12:00:00Z, or a date; by must list project, token or model (comma-separated), not "colour"',
    );
    expect(await refused(`model=${'m'.repeat(300)}`)).toBe('model must be at most 256 characters');
  });

  it('refuses an answer of more buckets than it serves', async () => {
    const hour = new Date('2025-03-02T07:00:00.000Z');
    await t.store.usage.add(
      Array.from({ length: 10_001 }, (_, i) => delta({ projectId: 'wide', model: `m${String(i)}`, hour })),
    );
    expect(await refused('project_id=wide&by=model')).toMatch(
      /^the answer would hold more than 10000 buckets/,
    );
    expect((await usage('project_id=wide')).totals.requests).toBe(10_001);
  });

  it('needs the management token, and is audited', async () => {
    const anonymous = await t.inject({ method: 'GET', url: '/manage/usage' });
    expect(anonymous.statusCode).toBe(401);
    expect(json(anonymous)).toMatchObject({ code: 'missing_authorization' });
    const wrong = await t.inject({
      method: 'GET',
      url: '/manage/usage',
      headers: { authorization: 'Bearer not-the-management-token' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(json(wrong)).toMatchObject({ code: 'invalid_management_token' });
    const posted = await t.manage('POST', '/manage/usage', {});
    expect(posted.statusCode).toBe(405);

    await usage('project_id=project-a&group_by=day');
    const { events } = await auditEvents(t, 'action=usage.query&outcome=success');
    const event = events.find(
      (candidate) => candidate.project_id === 'project-a' && String(candidate.metadata).includes('"day"'),
    );
    expect(JSON.parse(String(event?.metadata))).toMatchObject({
      group_by: 'day',
      from: '2025-03-01T00:00:00.000Z',
      to: '2025-03-03T00:00:00.000Z',
    });
  });

  it('is in the OpenAPI document with its filters', async () => {
    const doc = json<{ paths: Record<string, Record<string, unknown>> }>(
      await t.inject({ method: 'GET', url: '/manage/openapi.json' }),
    );
    const operation = JSON.stringify(doc.paths['/manage/usage']?.get);
    for (const name of ['project_id', 'token_id', 'model', 'from', 'to', 'group_by', 'by']) {
      expect(operation).toContain(`"${name}"`);
    }
    expect(operation).toContain('estimated_cost_usd');
    expect(operation).toContain('cost_is_estimate');
  });
});
