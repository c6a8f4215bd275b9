import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';

import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { OWN_ORIGIN, signInToAdmin } from '../helpers/admin-client.js';
import type { Injectable } from '../helpers/admin-client.js';
import { MANAGEMENT_TOKEN } from '../helpers/management.js';
import { freePort } from '../helpers/network.js';
import { TEST_REDIS_URL } from '../helpers/service-urls.js';
import { collect, runCli, spawnCli, startServer, tempDirPerTest } from './cli-harness.js';
import type { CliResult, RunningServer } from './cli-harness.js';

const newDir = tempDirPerTest();

/** A running `llm-proxy admin` process and the URL it answers at. */
interface RunningAdmin {
  readonly url: string;
  stop(): Promise<CliResult>;
}

describe('llm-proxy admin: the UI as a process of its own', () => {
  let server: RunningServer;
  const prefix = `llm-proxy-test:admin-cli:${randomBytes(6).toString('hex')}:`;

  beforeAll(async () => {
    server = await startServer({
      cwd: newDir(),
      env: { MANAGEMENT_TOKEN, MANAGEMENT_AUTH_FAILURE_DELAY: '0s' },
    });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('lists every configuration problem at start and serves nothing', async () => {
    const result = await runCli(['admin', '--listen', 'nowhere:port'], {
      cwd: newDir(),
      env: { ADMIN_UI_SESSION_STORE: 'redis' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('MANAGEMENT_TOKEN');
    expect(result.stderr).toContain('ADMIN_UI_SESSION_STORE');
    expect(result.stderr).toContain('REDIS_URL or REDIS_ADDR');
    expect(result.stderr).toContain('ADMIN_UI_LISTEN_ADDR (--listen)');
  });

  it('two processes sharing Redis sessions accept one sign-in, and both stop cleanly on SIGTERM', async () => {
    const options = { apiBaseUrl: server.url, prefix };
    const [first, second] = await Promise.all([startAdmin(options), startAdmin(options)]);
    try {
      const client = await signInToAdmin(overHttp(first.url), { basePath: '' });
      const elsewhere = await overHttp(second.url).inject({
        method: 'GET',
        url: '/projects',
        headers: { cookie: client.cookie },
      });
      expect(elsewhere.statusCode).toBe(200);
      expect(elsewhere.body).toContain('Projects');
      expect(elsewhere.body).not.toContain(MANAGEMENT_TOKEN);

      const health = await fetch(`${second.url}/health`);
      expect(health.status).toBe(200);
    } finally {
      const results = await Promise.all([first.stop(), second.stop()]);
      expect(results.map((result) => result.code)).toEqual([0, 0]);
    }
  });
});

/** Starts `llm-proxy admin` with its sessions in the test Redis and waits until it answers. */
async function startAdmin(options: { apiBaseUrl: string; prefix: string }): Promise<RunningAdmin> {
  const port = await freePort();
  const child: ChildProcess = spawnCli(
    ['admin', '--listen', `127.0.0.1:${String(port)}`, '--api-base-url', options.apiBaseUrl],
    {
      cwd: newDir(),
      env: {
        MANAGEMENT_TOKEN,
        LOG_LEVEL: 'warn',
        ADMIN_UI_SESSION_STORE: 'redis',
        ADMIN_UI_SESSION_KEY_PREFIX: options.prefix,
        REDIS_URL: TEST_REDIS_URL,
      },
    },
  );
  const done = collect(child, 120_000);
  const url = `http://127.0.0.1:${String(port)}`;
  for (let attempt = 0; ; attempt += 1) {
    try {
      if ((await fetch(`${url}/auth/login`)).ok) break;
    } catch {
      // not listening yet
    }
    if (attempt > 400) {
      child.kill('SIGKILL');
      throw new Error(`llm-proxy admin did not answer: ${JSON.stringify(await done)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    stop: () => {
      child.kill('SIGTERM');
      return done;
    },
  };
}

/**
 * The admin test client's requests sent over HTTP to a real process instead of injected. Its Origin header is
 * that of an injected request; here it becomes the process's own.
 */
function overHttp(base: string): Injectable {
  return {
    async inject(request) {
      const headers = { ...request.headers };
      if (headers.origin === OWN_ORIGIN) headers.origin = new URL(base).origin;
      const response = await fetch(`${base}${request.url}`, {
        method: request.method,
        headers,
        body: request.payload,
        redirect: 'manual',
      });
      const answer = {
        statusCode: response.status,
        headers: { ...Object.fromEntries(response.headers), 'set-cookie': response.headers.getSetCookie() },
        body: await response.text(),
      };
      return answer as unknown as LightMyRequestResponse;
    },
  };
}
