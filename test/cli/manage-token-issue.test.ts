import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { obfuscateToken } from '../../src/core/index.js';
import { api, runCli, startServer, tempDir } from './cli-harness.js';
import type { RunningServer } from './cli-harness.js';

const MANAGEMENT_TOKEN = 'cli-issue-test-management-token-0123456789';
const RAW_TOKEN = /sk-[A-Za-z0-9_-]{22}/;

let dir: ReturnType<typeof tempDir>;
let server: RunningServer;

function manage(args: readonly string[], baseUrl = server.url) {
  return runCli(['manage', ...args], {
    cwd: dir.path,
    env: { MANAGE_API_BASE_URL: baseUrl, MANAGEMENT_TOKEN },
  });
}

async function createProject(name: string): Promise<string> {
  const result = await manage([
    'project',
    'create',
    '--name',
    name,
    '--api-key',
    `sk-proj-${name}-0123456789abcdef`,
    '--json',
  ]);
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as { id: string }).id;
}

beforeAll(async () => {
  dir = tempDir();
  server = await startServer({ cwd: dir.path, env: { MANAGEMENT_TOKEN } });
});

afterAll(async () => {
  await server.stop();
  dir.remove();
});

describe('manage token generate', () => {
  it("--output plain prints exactly the original's Token:, Obfuscated: and Expires at: lines", async () => {
    const projectId = await createProject('Plain');
    const result = await manage(['token', 'generate', '--project-id', projectId, '--output', 'plain']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const token = /^Token: (sk-\S+)$/.exec(lines[0] ?? '')?.[1] ?? '';
    expect(token).toMatch(RAW_TOKEN);
    expect(lines[1]).toBe(`Obfuscated: ${obfuscateToken(token)}`);
    const expires = /^Expires at: (\S+)$/.exec(lines[2] ?? '')?.[1] ?? '';
    expect(Math.abs(new Date(expires).getTime() - Date.now() - 1440 * 60_000)).toBeLessThan(60_000);
  });

  it('--duration takes explicit units (7d, 90m) while a bare number stays minutes', async () => {
    const projectId = await createProject('Units');
    for (const [flag, minutes] of [
      ['7d', 7 * 1440],
      ['90m', 90],
      ['45', 45],
    ] as const) {
      const before = Date.now();
      const result = await manage([
        'token',
        'generate',
        '--project-id',
        projectId,
        '--duration',
        flag,
        '--json',
      ]);
      expect(result.code).toBe(0);
      const issued = JSON.parse(result.stdout) as { id: string; expires_at: string };
      const lifetime = new Date(issued.expires_at).getTime() - before;
      expect(Math.abs(lifetime - minutes * 60_000)).toBeLessThan(60_000);
      expect((await api(server, MANAGEMENT_TOKEN, 'GET', `/manage/tokens/${issued.id}`)).status).toBe(200);
    }
  });

  it('a bad --duration is refused with what was wrong, before any call', async () => {
    const result = await manage(['token', 'generate', '--project-id', 'p', '--duration', '90s']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"90s" is not a whole number of minutes');
  });
});

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A management API that knows only the rotation route, answering as the contract says. */
async function startRotationApi(): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const fake = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const match = /^\/manage\/tokens\/([^/]+)\/rotate$/.exec(req.url ?? '');
      if (req.method !== 'POST' || match === null || match[1] === 'missing') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"token not found"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: decodeURIComponent(match[1] ?? ''),
          token: 'sk-RotatedTokenValue0123xy',
          project_id: 'project-7',
          expires_at: '2031-02-03T04:05:06Z',
          max_requests: 50,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  const { port } = fake.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, server: fake };
}

describe('manage token rotate', () => {
  it('posts to /manage/tokens/{id}/rotate with the management token and prints the new secret once', async () => {
    const rotation = await startRotationApi();
    try {
      const table = await manage(['token', 'rotate', 'token-42'], rotation.url);
      expect(table.stderr).toBe('');
      expect(table.code).toBe(0);
      expect(table.stdout).toContain('sk-RotatedTokenValue0123xy');
      expect(table.stdout).toContain('project-7');
      expect(table.stdout).toContain('2031-02-03 04:05:06Z');
      expect(table.stdout).toContain('not shown again');
      expect(rotation.received[0]).toMatchObject({ method: 'POST', url: '/manage/tokens/token-42/rotate' });
      expect(rotation.received[0]?.headers.authorization).toBe(`Bearer ${MANAGEMENT_TOKEN}`);

      const plain = await manage(['token', 'rotate', 'token-42', '--output', 'plain'], rotation.url);
      expect(plain.stdout).toBe(
        [
          'Token: sk-RotatedTokenValue0123xy',
          `Obfuscated: ${obfuscateToken('sk-RotatedTokenValue0123xy')}`,
          'Expires at: 2031-02-03T04:05:06Z',
          '',
        ].join('\n'),
      );
      const json = await manage(['token', 'rotate', 'a/b', '--json'], rotation.url);
      expect(rotation.received.at(-1)?.url).toBe('/manage/tokens/a%2Fb/rotate');
      expect(JSON.parse(json.stdout)).toMatchObject({ id: 'a/b', token: 'sk-RotatedTokenValue0123xy' });
      const missing = await manage(['token', 'rotate', 'missing'], rotation.url);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('token not found (HTTP 404)');
      expect(missing.stdout).toBe('');
    } finally {
      await new Promise((resolve) => rotation.server.close(resolve));
    }
  });
});
