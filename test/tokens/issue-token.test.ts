import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { hashToken, isTokenFormat, tokenPreview } from '../../src/core/index.js';
import type { Clock } from '../../src/core/index.js';
import { issueToken } from '../../src/tokens/index.js';
import { createTestStore } from '../helpers/test-store.js';
import type { TestStore } from '../helpers/test-store.js';

const NOW = new Date('2030-01-02T03:04:05.000Z');
const fixedClock: Clock = { now: () => new Date(NOW) };

describe('issueToken', () => {
  let testStore: TestStore;

  beforeAll(async () => {
    testStore = await createTestStore('sqlite');
  });
  afterAll(() => testStore.cleanup());

  async function project(isActive = true): Promise<string> {
    const { store } = testStore;
    const created = await store.projects.create({
      name: `p-${String(Math.random())}`,
      apiKey: 'sk-upstream',
    });
    if (!isActive) await store.projects.update(created.id, { isActive: false });
    return created.id;
  }

  it('stores only the hash and preview, and dates the expiry by the injected clock', async () => {
    const projectId = await project();
    const issued = await issueToken(testStore.store, fixedClock, { projectId, durationMinutes: 90 });

    expect(isTokenFormat(issued.secret)).toBe(true);
    expect(issued.record.expiresAt?.toISOString()).toBe('2030-01-02T04:34:05.000Z');
    const stored = await testStore.store.tokens.findByHash(hashToken(issued.secret));
    expect(stored?.id).toBe(issued.record.id);
    expect(stored?.preview).toBe(tokenPreview(issued.secret));
    expect(JSON.stringify(stored)).not.toContain(issued.secret);
    expect(stored?.maxRequests).toBeNull();
  });

  it('treats a quota of 0 or none as unlimited and keeps a positive one', async () => {
    const projectId = await project();
    const zero = await issueToken(testStore.store, fixedClock, {
      projectId,
      durationMinutes: 1,
      maxRequests: 0,
    });
    const five = await issueToken(testStore.store, fixedClock, {
      projectId,
      durationMinutes: 1,
      maxRequests: 5,
    });

    expect((await testStore.store.tokens.get(zero.record.id))?.maxRequests).toBeNull();
    expect((await testStore.store.tokens.get(five.record.id))?.maxRequests).toBe(5);
  });

  it('refuses an inactive project and stores nothing', async () => {
    const projectId = await project(false);

    await expect(
      issueToken(testStore.store, fixedClock, { projectId, durationMinutes: 60 }),
    ).rejects.toMatchObject({ code: 'project_inactive', statusCode: 403 });
    expect(await testStore.store.tokens.list({ projectId })).toEqual([]);
  });

  it('refuses an unknown project', async () => {
    await expect(
      issueToken(testStore.store, fixedClock, {
        projectId: '00000000-0000-7000-8000-000000000000',
        durationMinutes: 60,
      }),
    ).rejects.toMatchObject({ code: 'project_not_found', statusCode: 404 });
  });
});
