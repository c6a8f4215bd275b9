import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it, vi } from 'vitest';

import { freePort } from '../helpers/network.js';
import { cliEnv, runCli, spawnCli, startServer, tempDirPerTest } from './cli-harness.js';

const newDir = tempDirPerTest();

function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('llm-proxy server: the first hour', () => {
  it('a missing --env file is an error naming the path, and nothing is written', async () => {
    const cwd = newDir();
    const result = await runCli(['server', '--env', 'prod.env'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('env file not found: prod.env');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('a missing file named by ENV is an error as well', async () => {
    const cwd = newDir();
    const result = await runCli(['server'], { cwd, env: { ENV: 'staging.env' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('env file not found: staging.env');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('a dotenv file given to --config is said to be one', async () => {
    const cwd = newDir();
    writeFileSync(join(cwd, '.env'), 'MANAGEMENT_TOKEN=abcdefabcdefabcdefabcdef\n');
    const result = await runCli(['server', '--config', '.env'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('.env: this is a dotenv file (KEY=value lines), not a provider file');
  });

  it('a provider file given to --env is said to be one', async () => {
    const cwd = newDir();
    writeFileSync(join(cwd, 'providers.yaml'), 'default_api: openai\napis:\n  openai:\n    base_url: x\n');
    const result = await runCli(['server', '--env', 'providers.yaml'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'providers.yaml is not a dotenv file (KEY=value lines): it looks like a provider file',
    );
  });

  it('--daemon is refused with what to do instead', async () => {
    const result = await runCli(['server', '--daemon'], { cwd: newDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--daemon is not supported');
    expect(result.stderr).toContain('systemd');
    expect(result.stderr).toContain('nohup llm-proxy server');
  });

  it('at LOG_LEVEL=warn the ready line is still written, after a warning for each setting without effect', async () => {
    const cwd = newDir();
    writeFileSync(join(cwd, '.env'), 'MANAGEMENT_TOKEN=abcdefabcdefabcdefabcdef\nLOG_LEVLE=debug\n');
    const server = await startServer({
      cwd,
      env: { LOG_LEVEL: 'warn', OPENAI_API_URL: 'http://127.0.0.1:9/v1', LLM_PROXY_FOO: '1' },
    });
    const lines = jsonLines((await server.stop('SIGTERM')).stdout);
    const messages = lines.map((line) => line.msg);
    expect(messages).toContain(
      'LOG_LEVLE (.env): unknown variable, it has no effect (did you mean LOG_LEVEL?)',
    );
    expect(messages).toContain('LLM_PROXY_FOO (environment): unknown variable, it has no effect');
    const ready = lines.find((line) => line.msg === 'llm-proxy is ready');
    expect(ready?.providers).toContainEqual({ name: 'openai', baseUrl: 'http://127.0.0.1:9' });
    expect(lines.filter((line) => line.msg === 'shutting down')).toEqual([]);
  });

  it('LOG_LAYOUT=original writes the original keys: ts, a textual level, msg', async () => {
    const cwd = newDir();
    writeFileSync(join(cwd, '.env'), 'MANAGEMENT_TOKEN=abcdefabcdefabcdefabcdef\n');
    const server = await startServer({ cwd, env: { LOG_LEVEL: 'info', LOG_LAYOUT: 'original' } });
    const ready = jsonLines((await server.stop('SIGTERM')).stdout).find(
      (line) => line.msg === 'llm-proxy is ready',
    );
    expect(ready).toMatchObject({ level: 'info', ts: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(ready).not.toHaveProperty('time');
    expect(ready).not.toHaveProperty('pid');
  });

  it('LOG_FORMAT=text, as the original .env.example writes it, gives human-readable lines', async () => {
    const cwd = newDir();
    writeFileSync(join(cwd, '.env'), 'MANAGEMENT_TOKEN=abcdefabcdefabcdefabcdef\nLOG_FORMAT=text\n');
    const server = await startServer({ cwd, env: { LOG_LEVEL: 'info' } });
    const { stdout } = await server.stop('SIGTERM');
    expect(stdout).toContain('llm-proxy is ready');
    expect(jsonLines(stdout)).toEqual([]);
  });

  it('--pid-file holds the process id while serving, refuses a second server and is removed at exit', async () => {
    const cwd = newDir();
    writeFileSync(join(cwd, '.env'), 'MANAGEMENT_TOKEN=abcdefabcdefabcdefabcdef\n');
    const pidFile = join(cwd, 'run', 'server.pid');
    const server = await startServer({ cwd, args: ['--pid-file', pidFile] });
    expect(readFileSync(pidFile, 'utf8')).toBe(`${String(server.child.pid)}\n`);

    const second = await runCli(['server', '--pid-file', pidFile, '--addr', '127.0.0.1:0'], { cwd });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`names process ${String(server.child.pid)}, which is still running`);
    expect(readFileSync(pidFile, 'utf8')).toBe(`${String(server.child.pid)}\n`);

    expect((await server.stop('SIGTERM')).code).toBe(0);
    expect(existsSync(pidFile)).toBe(false);
  });

  it('a PID file left by a process that is gone is taken over', async () => {
    const cwd = newDir();
    writeFileSync(join(cwd, '.env'), 'MANAGEMENT_TOKEN=abcdefabcdefabcdefabcdef\n');
    const gone = spawnCli(['--version']);
    await new Promise((resolve) => gone.once('close', resolve));
    const pidFile = join(cwd, 'server.pid');
    writeFileSync(pidFile, `${String(gone.pid)}\n`);
    const server = await startServer({ cwd, env: { PID_FILE: pidFile } });
    expect(readFileSync(pidFile, 'utf8')).toBe(`${String(server.child.pid)}\n`);
    expect((await server.stop('SIGINT')).code).toBe(0);
    expect(existsSync(pidFile)).toBe(false);
  });
});

describe('llm-proxy setup: the first hour', () => {
  it('a provider file given to --config is refused and left as it was', async () => {
    const cwd = newDir();
    const yaml = 'default_api: openai\napis:\n  openai:\n    base_url: https://api.openai.com\n';
    writeFileSync(join(cwd, 'api_providers.yaml'), yaml);
    const result = await runCli(['setup', '--config', 'api_providers.yaml', '--skip-project'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'api_providers.yaml is not a dotenv file (KEY=value lines): it looks like a provider file (YAML)',
    );
    expect(readFileSync(join(cwd, 'api_providers.yaml'), 'utf8')).toBe(yaml);
  });
});

describe('the "Start the server with" line of setup', () => {
  it('names a command that starts the server as written', async () => {
    const cwd = newDir();
    const setup = await runCli(['setup', '--skip-project', '--db', join(cwd, 'data', 'proxy.db')], { cwd });
    expect(setup.code).toBe(0);
    const command = /Start the server with: (.+)$/m.exec(setup.stdout)?.[1] ?? '';
    expect(command).toMatch(/^node \S+main\.js server --env \.env$/);
    const port = await freePort();
    const child = spawn('sh', ['-c', `exec ${command}`], {
      cwd,
      env: cliEnv({ LISTEN_ADDR: `127.0.0.1:${String(port)}`, LOG_LEVEL: 'warn' }),
      stdio: 'ignore',
    });
    try {
      await vi.waitFor(
        async () => {
          expect((await fetch(`http://127.0.0.1:${String(port)}/health`)).status).toBe(200);
        },
        { timeout: 20_000, interval: 100 },
      );
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('close', resolve));
    }
  });
});
