import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { freePort } from '../helpers/network.js';
import { api, runCli, startServer, tempDir } from './cli-harness.js';
import type { RunningServer } from './cli-harness.js';
import { runManage, runManageJson } from './manage-cli.js';

const MANAGEMENT_TOKEN = 'cli-test-management-token-0123456789';
const API_KEY = 'sk-proj-cli-test-abcdefghijklmnopqrstuvwxyz';
const RAW_TOKEN = /sk-[A-Za-z0-9_-]{22}/;

interface ProjectBody {
  id: string;
  name: string;
  api_key: string;
  is_active: boolean;
}

interface TokenBody {
  id: string;
  token: string;
  project_id: string;
  is_active: boolean;
  max_requests: number | null;
}

let dir: ReturnType<typeof tempDir>;
let server: RunningServer;

const manage = (args: readonly string[], env: Record<string, string | undefined> = {}) =>
  runManage(server, dir.path, MANAGEMENT_TOKEN, args, env);
const manageJson = <T>(args: readonly string[]): Promise<T> =>
  runManageJson<T>(server, dir.path, MANAGEMENT_TOKEN, args);

async function createProject(name: string): Promise<ProjectBody> {
  return manageJson<ProjectBody>(['project', 'create', '--name', name, '--api-key', API_KEY]);
}

beforeAll(async () => {
  dir = tempDir();
  server = await startServer({ cwd: dir.path, env: { MANAGEMENT_TOKEN } });
});

afterAll(async () => {
  await server.stop();
  dir.remove();
});

describe('manage project', () => {
  it('create prints the project with its key masked and the API then holds it', async () => {
    const result = await manage(['project', 'create', '--name', 'Alpha', '--openai-key', API_KEY]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Alpha');
    expect(result.stdout).not.toContain(API_KEY);
    const id = /ID\s*│\s*([0-9a-f-]{36})/.exec(result.stdout)?.[1];
    expect(id).toBeDefined();
    const stored = await api(server, MANAGEMENT_TOKEN, 'GET', `/manage/projects/${id ?? ''}`);
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ name: 'Alpha', is_active: true });
  });

  it('list shows every project as a table and as JSON, never with the full key', async () => {
    const created = await createProject('Listed');
    const table = await manage(['project', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(created.id);
    expect(table.stdout).toContain('Listed');
    expect(table.stdout).not.toContain(API_KEY);
    const list = await manageJson<ProjectBody[]>(['project', 'list']);
    const item = list.find((project) => project.id === created.id);
    expect(item?.name).toBe('Listed');
    expect(item?.api_key).not.toBe(API_KEY);
  });

  it('get shows one project', async () => {
    const created = await createProject('Gotten');
    const table = await manage(['project', 'get', created.id]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('Gotten');
    const json = await manageJson<ProjectBody>(['project', 'get', created.id]);
    expect(json).toMatchObject({ id: created.id, name: 'Gotten', is_active: true });
  });

  it('update renames, deactivates with --revoke-tokens and reactivates', async () => {
    const created = await createProject('Before');
    const issued = await manageJson<TokenBody>(['token', 'generate', '--project-id', created.id]);

    const renamed = await manage(['project', 'update', created.id, '--name', 'After']);
    expect(renamed.code).toBe(0);
    expect(renamed.stdout).toContain('After');
    expect((await api(server, MANAGEMENT_TOKEN, 'GET', `/manage/projects/${created.id}`)).body).toMatchObject(
      {
        name: 'After',
      },
    );

    const off = await manage(['project', 'update', created.id, '--active', 'false', '--revoke-tokens']);
    expect(off.code).toBe(0);
    expect((await api(server, MANAGEMENT_TOKEN, 'GET', `/manage/projects/${created.id}`)).body).toMatchObject(
      {
        is_active: false,
      },
    );
    expect((await api(server, MANAGEMENT_TOKEN, 'GET', `/manage/tokens/${issued.id}`)).body).toMatchObject({
      is_active: false,
    });

    const on = await manageJson<ProjectBody>(['project', 'update', created.id, '--active', 'true']);
    expect(on.is_active).toBe(true);
  });

  it('create and update set the cache TTL for POST answers as a duration; off clears it; get and list show it', async () => {
    const created = await manageJson<ProjectBody & { cache_post_ttl_seconds: number | null }>([
      'project',
      'create',
      '--name',
      'PostCached',
      '--api-key',
      API_KEY,
      '--cache-post-ttl',
      '10m',
    ]);
    expect(created.cache_post_ttl_seconds).toBe(600);
    const shown = await manage(['project', 'get', created.id]);
    expect(shown.stdout).toMatch(/POST cache TTL\s*│\s*600s \(10m\)/);
    const updated = await manage(['project', 'update', created.id, '--cache-post-ttl', '90']);
    expect(updated.code).toBe(0);
    expect((await api(server, MANAGEMENT_TOKEN, 'GET', `/manage/projects/${created.id}`)).body).toMatchObject(
      {
        cache_post_ttl_seconds: 90,
      },
    );
    expect((await manage(['project', 'list'])).stdout).toMatch(/PostCached.*90s/);
    expect((await manage(['project', 'update', created.id, '--cache-post-ttl', 'off'])).code).toBe(0);
    expect((await api(server, MANAGEMENT_TOKEN, 'GET', `/manage/projects/${created.id}`)).body).toMatchObject(
      {
        cache_post_ttl_seconds: null,
      },
    );
    expect((await manage(['project', 'get', created.id])).stdout).toMatch(/POST cache TTL\s*│\s*off/);
    const refused = await manage(['project', 'update', created.id, '--cache-post-ttl', '400d']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('out of range');
  });

  it('update refuses to run without a change, and --revoke-tokens without --active false', async () => {
    const created = await createProject('NoChange');
    const nothing = await manage(['project', 'update', created.id]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr.trim()).toMatch(/^error: nothing to update/);
    const revokeOnly = await manage(['project', 'update', created.id, '--revoke-tokens']);
    expect(revokeOnly.code).toBe(2);
    expect(revokeOnly.stderr).toContain('--revoke-tokens needs --active false');
  });

  it('revoke-tokens deactivates every token of the project and reports the counts', async () => {
    const created = await createProject('Bulk');
    const first = await manageJson<TokenBody>(['token', 'generate', '--project-id', created.id]);
    await manageJson<TokenBody>(['token', 'generate', '--project-id', created.id]);
    await manage(['token', 'revoke', first.id]);

    const result = await manage(['project', 'revoke-tokens', created.id]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Revoked 1 token(s)');
    expect(result.stdout).toContain('1 already inactive, 2 in total');
    const json = await manageJson<{ revoked_count: number; total_tokens: number }>([
      'project',
      'revoke-tokens',
      created.id,
    ]);
    expect(json).toMatchObject({ revoked_count: 0, already_revoked_count: 2, total_tokens: 2 });
    const active = await api(
      server,
      MANAGEMENT_TOKEN,
      'GET',
      `/manage/tokens?project_id=${created.id}&active_only=true`,
    );
    expect(active.body).toEqual([]);
  });

  it('reports an unknown project as the API error with its status', async () => {
    const result = await manage(['project', 'get', '00000000-0000-4000-8000-000000000000']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('error: project not found (HTTP 404)');
  });
});

describe('manage token', () => {
  it('generate prints the raw token once; list, get and the API only ever show it masked', async () => {
    const project = await createProject('Tokens');
    const result = await manage(['token', 'generate', '--project-id', project.id, '--duration', '60']);
    expect(result.code).toBe(0);
    const raw = RAW_TOKEN.exec(result.stdout)?.[0];
    expect(raw).toBeDefined();
    expect(result.stdout).toContain('not shown again');

    const listed = await manage(['token', 'list', '--project-id', project.id]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain(raw);
    expect(listed.stdout).toContain((raw ?? '').slice(0, 7));
    const tokens = await manageJson<TokenBody[]>(['token', 'list', '--project-id', project.id]);
    expect(tokens).toHaveLength(1);
    expect(tokens[0]?.token).not.toBe(raw);
    expect(tokens[0]?.project_id).toBe(project.id);

    const id = tokens[0]?.id ?? '';
    const shown = await manage(['token', 'get', id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(id);
    expect(shown.stdout).not.toContain(raw);
  });

  it('generate sends duration and quota; the JSON output parses', async () => {
    const project = await createProject('Quota');
    const before = Date.now();
    const issued = await manageJson<{ id: string; token: string; expires_at: string; max_requests?: number }>(
      ['token', 'generate', '--project-id', project.id, '--duration', '90', '--max-requests', '7'],
    );
    expect(issued.token).toMatch(RAW_TOKEN);
    expect(issued.max_requests).toBe(7);
    const lifetime = new Date(issued.expires_at).getTime() - before;
    expect(lifetime).toBeGreaterThan(89 * 60_000);
    expect(lifetime).toBeLessThan(91 * 60_000);
    const stored = await api(server, MANAGEMENT_TOKEN, 'GET', `/manage/tokens/${issued.id}`);
    expect(stored.body).toMatchObject({ max_requests: 7, is_active: true, project_id: project.id });
  });

  it('list --active-only leaves out revoked tokens', async () => {
    const project = await createProject('ActiveOnly');
    const kept = await manageJson<TokenBody>(['token', 'generate', '--project-id', project.id]);
    const revoked = await manageJson<TokenBody>(['token', 'generate', '--project-id', project.id]);
    expect((await manage(['token', 'revoke', revoked.id])).code).toBe(0);
    const all = await manageJson<TokenBody[]>(['token', 'list', '--project-id', project.id]);
    expect(all.map((token) => token.id).sort()).toEqual([kept.id, revoked.id].sort());
    const active = await manageJson<TokenBody[]>([
      'token',
      'list',
      '--project-id',
      project.id,
      '--active-only',
    ]);
    expect(active.map((token) => token.id)).toEqual([kept.id]);
  });

  it('update changes the quota and the active flag', async () => {
    const project = await createProject('Updated');
    const issued = await manageJson<TokenBody>(['token', 'generate', '--project-id', project.id]);
    const result = await manage(['token', 'update', issued.id, '--max-requests', '5', '--active', 'false']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(issued.id);
    expect((await api(server, MANAGEMENT_TOKEN, 'GET', `/manage/tokens/${issued.id}`)).body).toMatchObject({
      max_requests: 5,
      is_active: false,
    });
    const back = await manageJson<TokenBody>([
      'token',
      'update',
      issued.id,
      '--active',
      'true',
      '--max-requests',
      '0',
    ]);
    expect(back).toMatchObject({ is_active: true, max_requests: null });
  });

  it('revoke deactivates the token at once and is idempotent', async () => {
    const project = await createProject('Revoked');
    const issued = await manageJson<TokenBody>(['token', 'generate', '--project-id', project.id]);
    const result = await manage(['token', 'revoke', issued.id]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Revoked token ${issued.id}`);
    expect((await api(server, MANAGEMENT_TOKEN, 'GET', `/manage/tokens/${issued.id}`)).body).toMatchObject({
      is_active: false,
    });
    const again = await manageJson<{ id: string; revoked: boolean }>(['token', 'revoke', issued.id]);
    expect(again).toEqual({ id: issued.id, revoked: true });
  });

  it('generate for an unknown project reports the API error', async () => {
    const result = await manage([
      'token',
      'generate',
      '--project-id',
      '00000000-0000-4000-8000-000000000000',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('error: project not found (HTTP 404)');
  });
});

describe('manage errors', () => {
  it('a wrong management token gives one error line and exit 1', async () => {
    const result = await manage(['project', 'list'], { MANAGEMENT_TOKEN: 'wrong-token' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: .+ \(HTTP 401\)$/);
  });

  it('without any management token it says where to put one', async () => {
    const result = await manage(['token', 'list'], { MANAGEMENT_TOKEN: undefined });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^error: a management token is required: pass --management-token/);
  });

  it('reads the management token from the --env file when the environment has none', async () => {
    const envFile = join(dir.path, 'manage.env');
    writeFileSync(envFile, `MANAGEMENT_TOKEN=${MANAGEMENT_TOKEN}\n`);
    const result = await manage(['project', 'list', '--json', '--env', envFile], {
      MANAGEMENT_TOKEN: undefined,
    });
    expect(result.code).toBe(0);
    expect(Array.isArray(JSON.parse(result.stdout))).toBe(true);
  });

  it('the --management-token flag wins over the environment', async () => {
    const result = await manage(['project', 'list', '--json', '--management-token', MANAGEMENT_TOKEN], {
      MANAGEMENT_TOKEN: 'wrong-token',
    });
    expect(result.code).toBe(0);
  });

  it('a server that is not running gives a one-line hint', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const result = await runCli(['manage', 'project', 'list', '--manage-api-base-url', url], {
      env: { MANAGEMENT_TOKEN },
    });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`cannot reach the management API at ${url}`);
    expect(lines[0]).toContain('running');
  });

  it.each([
    [
      ['token', 'generate', '--project-id', 'p', '--duration', 'abc'],
      "option '--duration <duration>' argument 'abc' is invalid",
    ],
    [
      ['token', 'generate', '--project-id', 'p', '--max-requests', '-1'],
      "option '--max-requests <n>' argument '-1' is invalid",
    ],
    [
      ['token', 'update', 'x', '--active', 'maybe'],
      "option '--active <true|false>' argument 'maybe' is invalid",
    ],
    [['token', 'generate'], "required option '--project-id <id>' not specified"],
  ])('rejects invalid flags before calling the API: %s', async (args, message) => {
    const result = await manage(args);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(message);
  });
});
