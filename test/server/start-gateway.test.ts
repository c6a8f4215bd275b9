import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { inject as injectRequest } from 'light-my-request';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';

import { resolveConfig } from '../../src/config/index.js';
import type { Config } from '../../src/config/index.js';
import { createApiKeyCipher } from '../../src/core/index.js';
import { startGateway } from '../../src/server/index.js';
import type { Gateway, GatewayOverrides } from '../../src/server/index.js';
import { openStore } from '../../src/store/index.js';
import { createInvalidationBus } from '../../src/tokens/index.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import type { FakeUpstream } from '../helpers/fake-upstream.js';
import { LogCapture, captureLogger } from '../helpers/log-capture.js';
import { AUTH, MANAGEMENT_TOKEN, json } from '../helpers/management.js';
import { deferred } from '../helpers/network.js';
import { writeProviderFile } from '../helpers/provider-file.js';
import { JSON_HEADERS, chatBody } from '../helpers/proxy-requests.js';
import { TEST_POSTGRES_URL } from '../helpers/service-urls.js';
import { SSE_DONE, SSE_HEADERS, chatChunk, sseEvent } from '../helpers/sse.js';
import { createTestDatabase, postgresQuery } from '../helpers/test-database.js';
import { createTestStore } from '../helpers/test-store.js';

let dir: string;
let upstream: FakeUpstream;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'llm-proxy-root-'));
  upstream = await startFakeUpstream();
});
afterEach(async () => {
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A configuration as the CLI would resolve it: a SQLite file, a provider file, no audit file. */
function configFor(env: Record<string, string> = {}): Config {
  return resolveConfig({
    env: {
      MANAGEMENT_TOKEN,
      DATABASE_PATH: join(dir, 'gateway.db'),
      API_CONFIG_PATH: writeProviderFile(dir, { openaiUrl: upstream.url, anthropicUrl: upstream.url }),
      AUDIT_LOG_FILE: '',
      LOG_LEVEL: 'error',
      // Counts of unlimited tokens are only written when the gateway closes.
      USAGE_FLUSH_INTERVAL: '1h',
      ...env,
    },
  });
}

/** Sends a request to the gateway's node:http listener, without a socket. */
function call(gateway: Gateway, method: 'GET' | 'POST', url: string, payload?: unknown, token?: string) {
  return injectRequest(gateway.handleRequest, {
    method,
    url,
    headers: {
      ...(token === undefined ? AUTH : { authorization: `Bearer ${token}` }),
      ...(payload !== undefined && JSON_HEADERS),
    },
    ...(payload !== undefined && { payload: payload as string }),
  });
}

/** Creates a project and an unlimited token through the management API. */
async function unlimitedToken(gateway: Gateway): Promise<{ id: string; token: string }> {
  const project = await call(gateway, 'POST', '/manage/projects', {
    name: 'root',
    api_key: 'sk-root-upstream-1',
  });
  expect(project.statusCode).toBe(201);
  const token = await call(gateway, 'POST', '/manage/tokens', {
    project_id: json<{ id: string }>(project).id,
    duration_minutes: 60,
  });
  expect(token.statusCode).toBe(201);
  return json(token);
}

/** Reads a token's request count from the database file, with a store of its own. */
async function storedRequestCount(config: Config, tokenId: string): Promise<number | undefined> {
  const store = await openStore({ database: config.database, cipher: createApiKeyCipher(undefined) });
  try {
    return (await store.tokens.get(tokenId))?.requestCount;
  } finally {
    await store.close();
  }
}

async function expectMigrated(gateway: Gateway): Promise<void> {
  const states = await gateway.store.migrations.status();
  expect(states.length).toBeGreaterThan(0);
  expect(states.filter((state) => state.executedAt === undefined)).toEqual([]);
}

describe('the composition root', () => {
  it('builds from a configuration alone: migrates the database, serves probes, management and /v1', async () => {
    const config = configFor();
    const gateway = await startGateway(config);
    try {
      const health = await call(gateway, 'GET', '/health');
      expect(health.statusCode).toBe(200);
      expect(json(health)).toMatchObject({ status: 'ok' });
      await expectMigrated(gateway);

      const { token } = await unlimitedToken(gateway);
      const proxied = await call(gateway, 'POST', '/v1/chat/completions', chatBody(), token);
      expect(proxied.statusCode).toBe(200);
      expect(json(proxied)).toMatchObject({ object: 'chat.completion' });
      expect(upstream.requests).toHaveLength(1);
      expect(upstream.requests[0]?.headers.authorization).toBe('Bearer sk-root-upstream-1');
    } finally {
      await gateway.close();
    }
  });

  it('writes request counts of unlimited tokens before the database closes, and closes twice quietly', async () => {
    const config = configFor();
    const gateway = await startGateway(config);
    const { id, token } = await unlimitedToken(gateway);
    for (let i = 0; i < 3; i += 1) {
      expect((await call(gateway, 'POST', '/v1/chat/completions', chatBody(), token)).statusCode).toBe(200);
    }
    expect((await gateway.store.tokens.get(id))?.requestCount).toBe(0);
    await gateway.close();
    expect(await storedRequestCount(config, id)).toBe(3);
    await expect(gateway.close()).resolves.toBeUndefined();
  });

  it('lets a request in flight finish before the parts it uses close, and counts it', async () => {
    const config = configFor();
    const gateway = await startGateway(config);
    const url = await gateway.app.listen({ port: 0, host: '127.0.0.1' });
    const { id, token } = await unlimitedToken(gateway);
    const started = deferred();
    const release = deferred();
    upstream.script(async (_request, res) => {
      res.writeHead(200, SSE_HEADERS);
      res.write(sseEvent(chatChunk('first ')));
      started.resolve();
      await release.promise;
      res.write(sseEvent(chatChunk('last')));
      res.end(SSE_DONE);
    });
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, authorization: `Bearer ${token}` },
      body: chatBody({ stream: true }),
    });
    await started.promise;
    const closing = gateway.close();
    release.resolve();
    const body = await response.text();
    await closing;
    expect(response.status).toBe(200);
    expect(body).toContain('"last"');
    expect(body.endsWith(SSE_DONE)).toBe(true);
    expect(await storedRequestCount(config, id)).toBe(1);
  });

  it('leaves the parts it was given open: store, logger and invalidation bus', async () => {
    const testStore = await createTestStore('sqlite');
    const logs = new LogCapture();
    const logger = captureLogger(logs);
    const invalidation = createInvalidationBus({ type: 'memory', logger });
    try {
      const gateway = await startGateway(configFor(), { store: testStore.store, logger, invalidation });
      expect(gateway.store).toBe(testStore.store);
      expect(gateway.invalidation).toBe(invalidation);
      await gateway.close();

      await expect(testStore.store.ping()).resolves.toBeUndefined();
      expect(await testStore.store.projects.list()).toEqual([]);
      const seen: unknown[] = [];
      invalidation.subscribe((event) => seen.push(event));
      invalidation.publish({ type: 'resync' });
      expect(seen).toEqual([{ type: 'resync' }]);
      const before = logs.raw.length;
      logger.info('still writing');
      expect(logs.raw.length).toBe(before + 1);
    } finally {
      await invalidation.close();
      await testStore.cleanup();
    }
  });

  it('rethrows a failure midway through the build, after the database was opened and migrated', async () => {
    const config = configFor();
    const failing = new Error('extension failed to register');
    await expect(startGateway(config, failingLastStep(failing))).rejects.toBe(failing);
    // The database was opened and migrated before the failure (the extensions come last).
    const store = await openStore({ database: config.database, cipher: createApiKeyCipher(undefined) });
    try {
      const states = await store.migrations.status();
      expect(states.length).toBeGreaterThan(0);
      expect(states.filter((state) => state.executedAt === undefined)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it.skipIf(!inject('postgresAvailable'))(
    'holds no database connection after a build that failed midway (postgres)',
    async () => {
      const database = await createTestDatabase('postgres');
      try {
        if (database.config.driver !== 'postgres') throw new Error('expected a PostgreSQL database');
        const config = { ...configFor(), database: database.config };
        const failing = new Error('extension failed to register');
        await expect(startGateway(config, failingLastStep(failing))).rejects.toBe(failing);
        const name = new URL(database.config.url).pathname.slice(1);
        const open = await postgresQuery(
          TEST_POSTGRES_URL,
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = '${name}'`,
        );
        expect(open.rows[0]).toEqual({ n: 0 });
      } finally {
        await database.cleanup();
      }
    },
  );
});

/** Overrides whose extension, the last part the root builds, throws: a build that fails midway. */
function failingLastStep(failing: Error): GatewayOverrides {
  return {
    extensions: [
      () => {
        throw failing;
      },
    ],
  };
}
