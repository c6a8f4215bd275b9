import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { api, startServer, tempDir } from './cli-harness.js';
import type { RunningServer } from './cli-harness.js';
import { runManage, runManageJson } from './manage-cli.js';

const MANAGEMENT_TOKEN = 'cli-test-management-token-cache-0123456789';
const API_KEY = 'sk-proj-cli-test-abcdefghijklmnopqrstuvwxyz';

let dir: ReturnType<typeof tempDir>;
let server: RunningServer;

const manage = (args: readonly string[]) => runManage(server, dir.path, MANAGEMENT_TOKEN, args);
const manageJson = <T>(args: readonly string[]): Promise<T> =>
  runManageJson<T>(server, dir.path, MANAGEMENT_TOKEN, args);

beforeAll(async () => {
  dir = tempDir();
  server = await startServer({ cwd: dir.path, env: { MANAGEMENT_TOKEN } });
});

afterAll(async () => {
  await server.stop();
  dir.remove();
});

describe('manage cache purge', () => {
  async function lastPurgeDetails(): Promise<Record<string, unknown>> {
    const listed = await api(server, MANAGEMENT_TOKEN, 'GET', '/manage/audit?action=cache.purge&page_size=1');
    const events = (listed.body as { events: { metadata: string }[] }).events;
    return JSON.parse(events[0]?.metadata ?? '{}') as Record<string, unknown>;
  }

  it('sends each choice as its API body and prints how many entries were deleted', async () => {
    const byUrl = await manage(['cache', 'purge', '--method', 'get', '--url', '/v1/models?b=2&a=1']);
    expect(byUrl.stderr).toBe('');
    expect(byUrl.code).toBe(0);
    expect(byUrl.stdout.trim()).toBe('Purged 0 cache entries (GET /v1/models?b=2&a=1).');
    expect(await lastPurgeDetails()).toMatchObject({
      purge_type: 'exact',
      method: 'GET',
      url: '/v1/models?a=1&b=2',
    });

    const project = await manageJson<{ id: string }>([
      'project',
      'create',
      '--name',
      'PurgedByCli',
      '--api-key',
      API_KEY,
    ]);
    const byPrefix = await manageJson<{ deleted: number }>([
      'cache',
      'purge',
      '--prefix',
      '/v1/chat',
      '--project-id',
      project.id,
    ]);
    expect(byPrefix).toEqual({ deleted: 0 });
    expect(await lastPurgeDetails()).toMatchObject({
      purge_type: 'prefix',
      prefix: '/v1/chat',
      project_id: project.id,
    });

    expect((await manage(['cache', 'purge', '--all'])).stdout).toContain(
      'Purged 0 cache entries (everything).',
    );
    expect(await lastPurgeDetails()).toMatchObject({ purge_type: 'all', deleted: 0 });
  });

  it('refuses no choice or several before calling the API, and reports API errors', async () => {
    for (const args of [
      [],
      ['--all', '--prefix', '/v1'],
      ['--method', 'GET'],
      ['--all', '--project-id', 'p'],
    ]) {
      const result = await manage(['cache', 'purge', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^error: /);
    }
    const unknown = await manage(['cache', 'purge', '--project-id', '00000000-0000-4000-8000-000000000000']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('project not found');
  });
});
