import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateToken, hashToken, tokenPreview } from '../../src/core/index.js';
import type { SystemStatusView } from '../../src/manage/index.js';
import { ManualClock } from '../helpers/clock.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { createProject, json } from '../helpers/management.js';
import { TEST_DIALECTS } from '../helpers/test-store.js';

interface TokenJson {
  id: string;
  status: string;
  expires_at: string | null;
  request_count: number;
  created_at: string;
}

const HOUR_MS = 3_600_000;

describe.each(TEST_DIALECTS)('GET /manage/tokens: pages, order and counts (%s)', (dialect) => {
  const clock = new ManualClock(new Date('2026-03-01T12:00:00.000Z'));
  let t: TestGateway;
  let projectId: string;
  const ids: string[] = [];

  beforeAll(async () => {
    t = await startTestGateway({ dialect, clock, listen: false });
    projectId = (await createProject(t, 'pages')).id;
    // Five tokens: expiring in 1..4 hours and one that never expires; each used a different number of times.
    for (const hours of [3, 1, 4, 2, null]) {
      const secret = generateToken();
      const token = await t.store.tokens.create({
        projectId,
        tokenHash: hashToken(secret),
        preview: tokenPreview(secret),
        expiresAt: hours === null ? null : new Date(clock.now().getTime() + hours * HOUR_MS),
        maxRequests: null,
      });
      ids.push(token.id);
      clock.advance(1000);
    }
    await t.store.tokens.addUsage(
      ids.map((id, index) => ({ id, requests: index * 10, cacheHits: 0, lastUsedAt: clock.now() })),
    );
    await t.store.tokens.revoke(ids[4] ?? '');
  });
  afterAll(async () => {
    await t.close();
  });

  const list = async (query: string) => {
    const response = await t.manage('GET', `/manage/tokens?project_id=${projectId}&${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return { tokens: json<TokenJson[]>(response), total: response.headers['x-total-count'] };
  };

  it('answers one page with the total in X-Total-Count, and the whole list without paging', async () => {
    const first = await list('sort=requests&page=1&page_size=2');
    expect(first.tokens.map((token) => token.id)).toEqual([ids[4], ids[3]]);
    expect(first.total).toBe('5');
    const last = await list('sort=requests&page=3&page_size=2');
    expect(last.tokens.map((token) => token.id)).toEqual([ids[0]]);
    const whole = await list('');
    expect(whole.tokens).toHaveLength(5);
    expect(whole.total).toBeUndefined();
  });

  it('sorts by expiry, requests and creation; tokens that never expire come last either way', async () => {
    const soonest = await list('sort=expires&order=asc');
    expect(soonest.tokens.map((token) => token.id)).toEqual([ids[1], ids[3], ids[0], ids[2], ids[4]]);
    const latest = await list('sort=expires&order=desc');
    expect(latest.tokens.map((token) => token.id)).toEqual([ids[2], ids[0], ids[3], ids[1], ids[4]]);
    const busiest = await list('sort=requests&order=desc&page=1&page_size=2');
    expect(busiest.tokens.map((token) => token.request_count)).toEqual([40, 30]);
    const oldest = await list('sort=created&order=asc&status=active');
    const created = oldest.tokens.map((token) => Date.parse(token.created_at));
    expect(created).toEqual([...created].sort((a, b) => a - b));
    expect(new Set(oldest.tokens.map((token) => token.id))).toEqual(new Set(ids.slice(0, 4)));
    expect((await list('status=revoked&page=1')).total).toBe('1');
  });

  it('refuses a sort it does not know and pages of more than 1000', async () => {
    for (const query of ['sort=name', 'order=up', 'page_size=1001', 'page=0']) {
      const response = await t.manage('GET', `/manage/tokens?${query}`);
      expect(response.statusCode, query).toBe(400);
    }
  });

  it('counts tokens by status in /manage/status as the list judges them', async () => {
    clock.advance(2.5 * HOUR_MS);
    const status = json<SystemStatusView>(await t.manage('GET', '/manage/status'));
    const count = async (name: string) => Number((await list(`status=${name}&page=1`)).total);
    expect(status.tokens).toMatchObject({
      total: 5,
      revoked: 1,
      expired: await count('expired'),
      active: await count('active'),
      requests: 100,
    });
    expect(status.tokens.expired).toBe(2);
  });
});
