import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApiKeyCipher } from '../../src/core/index.js';
import { openStore } from '../../src/store/index.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import type { FakeUpstream } from '../helpers/fake-upstream.js';
import { managementOverHttp, issueToken } from '../helpers/management.js';
import { chatBody, JSON_HEADERS } from '../helpers/proxy-requests.js';
import { startServer, tempDirPerTest, writeChatProviderFile } from './cli-harness.js';

const MANAGEMENT_TOKEN = 'durability-test-management-token-0123';
const REQUESTS = 250;

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(async () => {
  await upstream.close();
});
const newDir = tempDirPerTest();

/**
 * Serves REQUESTS requests of an unlimited token, kills the server with SIGKILL (no shutdown flush) and returns
 * how many of those requests the database never counted.
 */
async function requestsLostToKill(env: Record<string, string>): Promise<number> {
  const dir = newDir();
  const server = await startServer({
    cwd: dir,
    env: { MANAGEMENT_TOKEN, API_CONFIG_PATH: writeChatProviderFile(dir, upstream.url), ...env },
  });
  let tokenId: string;
  try {
    const issued = await issueToken(managementOverHttp(server.url, MANAGEMENT_TOKEN));
    tokenId = issued.tokenId;
    for (let i = 0; i < REQUESTS; i += 1) {
      const response = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...JSON_HEADERS, authorization: `Bearer ${issued.token}` },
        body: chatBody(),
      });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
  } finally {
    const ended = await server.stop('SIGKILL');
    expect(ended.signal).toBe('SIGKILL');
  }
  const store = await openStore({
    database: { driver: 'sqlite', path: join(dir, 'data', 'llm-proxy.db') },
    cipher: createApiKeyCipher(undefined),
  });
  try {
    const record = await store.tokens.get(tokenId);
    return REQUESTS - (record?.requestCount ?? 0);
  } finally {
    await store.close();
  }
}

describe('request counts of unlimited tokens across a crash (kill -9)', () => {
  it('lose fewer than USAGE_FLUSH_THRESHOLD requests, where the interval alone would lose them all', async () => {
    // A long interval, so that only the threshold writes during the test.
    const withThreshold = await requestsLostToKill({
      USAGE_FLUSH_INTERVAL: '10m',
      USAGE_FLUSH_THRESHOLD: '100',
    });
    const intervalOnly = await requestsLostToKill({
      USAGE_FLUSH_INTERVAL: '10m',
      USAGE_FLUSH_THRESHOLD: '0',
    });
    console.info(
      `kill -9 after ${REQUESTS} requests: ${withThreshold} lost with USAGE_FLUSH_THRESHOLD=100, ${intervalOnly} with the interval only`,
    );
    expect(withThreshold).toBeLessThan(100);
    expect(intervalOnly).toBe(REQUESTS);
  });
});
