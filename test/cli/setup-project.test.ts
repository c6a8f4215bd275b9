import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createProjectAndToken } from '../../src/cli/setup/run-setup.js';
import { CliError } from '../../src/cli/shared/cli-error.js';
import { hashToken } from '../../src/core/index.js';
import type { Clock } from '../../src/core/index.js';
import { createTestStore } from '../helpers/test-store.js';
import type { TestStore } from '../helpers/test-store.js';

const NOW = new Date('2031-05-06T07:08:09.000Z');
const fixedClock: Clock = { now: () => new Date(NOW) };

describe('setup: project and first token', () => {
  let testStore: TestStore;

  beforeAll(async () => {
    testStore = await createTestStore('sqlite');
  });
  afterAll(() => testStore.cleanup());

  it('dates the token by the injected clock and stores only its hash', async () => {
    const outcome = await createProjectAndToken(testStore.store, fixedClock, {
      name: 'clocked',
      apiKey: 'sk-upstream-key',
      durationMinutes: 180,
    });

    expect(outcome.projectStatus).toBe('created');
    const stored = await testStore.store.tokens.findByHash(hashToken(outcome.token.secret));
    expect(stored?.projectId).toBe(outcome.project.id);
    expect(stored?.expiresAt?.toISOString()).toBe('2031-05-06T10:08:09.000Z');
    expect(stored?.maxRequests).toBeNull();
  });

  it('refuses an inactive project through the shared issuing rule and creates no token', async () => {
    const project = await testStore.store.projects.create({ name: 'dormant', apiKey: 'sk-upstream-key' });
    await testStore.store.projects.update(project.id, { isActive: false });

    const attempt = createProjectAndToken(testStore.store, fixedClock, {
      name: 'dormant',
      apiKey: 'sk-upstream-key',
      durationMinutes: 60,
    });

    await expect(attempt).rejects.toBeInstanceOf(CliError);
    await expect(attempt).rejects.toThrow(
      `project "dormant" exists but is inactive; reactivate it with \`llm-proxy manage project update ${project.id} --active true\``,
    );
    await expect(attempt).rejects.toHaveProperty('cause.code', 'project_inactive');
    expect(await testStore.store.tokens.list({ projectId: project.id })).toEqual([]);
  });

  it('reuses an existing project of that name and leaves its key alone', async () => {
    const first = await createProjectAndToken(testStore.store, fixedClock, {
      name: 'reused',
      apiKey: 'sk-first-key',
      durationMinutes: 60,
    });
    const second = await createProjectAndToken(testStore.store, fixedClock, {
      name: 'reused',
      apiKey: 'sk-other-key',
      durationMinutes: 60,
    });

    expect(second.project.id).toBe(first.project.id);
    expect(second.projectStatus).toBe('reused-other-key');
    expect((await testStore.store.projects.get(first.project.id))?.apiKey).toBe('sk-first-key');
    expect(await testStore.store.tokens.list({ projectId: first.project.id })).toHaveLength(2);
  });
});
