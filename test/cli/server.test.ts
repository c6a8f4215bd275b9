import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { freePort } from '../helpers/network.js';
import { api, runCli, startServer, tempDirPerTest } from './cli-harness.js';

const newDir = tempDirPerTest();

describe('llm-proxy server', () => {
  it('first start without MANAGEMENT_TOKEN generates one, stores it in .env (0600) and prints it; SIGTERM exits 0', async () => {
    const cwd = newDir();
    const port = await freePort();
    // The flags win over the environment: LISTEN_ADDR from the environment is not even valid.
    const server = await startServer({
      cwd,
      port,
      env: { LISTEN_ADDR: 'nope' },
      args: ['--addr', `127.0.0.1:${port}`, '--db', join(cwd, 'state', 'proxy.db')],
    });
    const envFile = join(cwd, '.env');
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    const stored = /^MANAGEMENT_TOKEN=(\S+)$/m.exec(readFileSync(envFile, 'utf8'))?.[1];
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(server.output().stdout).toContain(`MANAGEMENT_TOKEN=${stored ?? ''}`);
    expect(existsSync(join(cwd, 'state', 'proxy.db'))).toBe(true);

    expect((await api(server, stored ?? '', 'GET', '/manage/projects')).status).toBe(200);
    expect((await api(server, 'wrong', 'GET', '/manage/projects')).status).toBe(401);

    const stopped = await server.stop('SIGTERM');
    expect(stopped.code).toBe(0);

    // The second start reads it from .env and prints nothing new.
    const again = await startServer({ cwd, port });
    expect(again.output().stdout).not.toContain('MANAGEMENT_TOKEN=');
    expect((await api(again, stored ?? '', 'GET', '/manage/projects')).status).toBe(200);
    expect((await again.stop('SIGINT')).code).toBe(0);
  });

  it('a first start reads the provider file once and logs the providers it loaded, with their base URLs', async () => {
    const cwd = newDir();
    // A named pipe yields its content to one reader only: a second read would block the start for good.
    const providersPath = join(cwd, 'providers.fifo');
    execFileSync('mkfifo', [providersPath]);
    const written = writeFile(
      providersPath,
      [
        'default_api: openai',
        'apis:',
        '  openai:',
        '    base_url: http://127.0.0.1:9/v1',
        '    allowed_endpoints: [/v1/chat/completions]',
        '    allowed_methods: [POST]',
        '  anthropic:',
        '    base_url: https://api.anthropic.com',
        '    allowed_endpoints: [/v1/messages]',
        '    allowed_methods: [POST]',
        '',
      ].join('\n'),
    );
    try {
      const server = await startServer({
        cwd,
        env: { LOG_LEVEL: 'info', API_CONFIG_PATH: providersPath },
      });
      await written;
      const stopped = await server.stop('SIGTERM');
      const ready = stopped.stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line.msg === 'llm-proxy is ready');
      expect(ready).toHaveLength(1);
      expect(ready[0]).toMatchObject({
        providers: [
          { name: 'openai', baseUrl: 'http://127.0.0.1:9' },
          { name: 'anthropic', baseUrl: 'https://api.anthropic.com' },
        ],
        providersFrom: providersPath,
      });
      const stored = /^MANAGEMENT_TOKEN=(\S+)$/m.exec(readFileSync(join(cwd, '.env'), 'utf8'))?.[1] ?? '';
      expect(stored).not.toBe('');
      expect(JSON.stringify(ready[0])).not.toContain(stored);
    } finally {
      // Releases the writer if the server never opened the pipe.
      closeSync(openSync(providersPath, constants.O_RDONLY | constants.O_NONBLOCK));
    }
  });

  it('logs the built-in providers when no provider file exists', async () => {
    const cwd = newDir();
    const server = await startServer({
      cwd,
      env: { LOG_LEVEL: 'info', MANAGEMENT_TOKEN: 'token', OPENAI_API_URL: 'http://127.0.0.1:9' },
    });
    const stopped = await server.stop('SIGTERM');
    const ready = stopped.stdout.split('\n').find((line) => line.includes('llm-proxy is ready')) ?? '{}';
    expect(JSON.parse(ready)).toMatchObject({
      providers: [
        { name: 'openai', baseUrl: 'http://127.0.0.1:9' },
        { name: 'anthropic', baseUrl: 'https://api.anthropic.com' },
      ],
      providersFrom: 'built-in providers',
    });
  });

  it('lists every configuration problem at once and exits 1 without writing anything', async () => {
    const cwd = newDir();
    const result = await runCli(['server'], { cwd, env: { LISTEN_ADDR: 'nope', DB_DRIVER: 'mysql' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: invalid configuration:/);
    expect(result.stderr).toContain('LISTEN_ADDR');
    expect(result.stderr).toContain('DB_DRIVER');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(cwd, '.env'))).toBe(false);
  });

  it('a malformed USAGE_PRICES_FILE stops the start with each of its problems', async () => {
    const cwd = newDir();
    const prices = join(cwd, 'prices.yaml');
    writeFileSync(prices, 'models:\n  gpt-4o: { input: -1, output: cheap }\n');
    const result = await runCli(['server'], {
      cwd,
      env: { MANAGEMENT_TOKEN: 'token', DATABASE_PATH: join(cwd, 'db.sqlite'), USAGE_PRICES_FILE: prices },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: invalid configuration:/);
    const problems = result.stderr.split('\n').filter((line) => line.startsWith('  - USAGE_PRICES_FILE: '));
    expect(problems).toHaveLength(2);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('reads .env below the environment: the environment value wins', async () => {
    const cwd = newDir();
    const envFile = join(cwd, 'custom.env');
    writeFileSync(envFile, 'MANAGEMENT_TOKEN=from-file\nLOG_LEVEL=chatty\n');
    const result = await runCli(['server', '--env', envFile], { cwd, env: { LOG_LEVEL: 'loud' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('"loud"');
    expect(result.stderr).not.toContain('chatty');
  });

  it('a busy port gives one clear error line and exit 1', async () => {
    const cwd = newDir();
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const result = await runCli(['server', '--addr', `127.0.0.1:${port}`], {
        cwd,
        env: { MANAGEMENT_TOKEN: 'token', DATABASE_PATH: join(cwd, 'db.sqlite') },
      });
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(`error: listen address 127.0.0.1:${port} is already in use`);
    } finally {
      await new Promise<void>((resolve) => {
        blocker.close(() => {
          resolve();
        });
      });
    }
  });
});
