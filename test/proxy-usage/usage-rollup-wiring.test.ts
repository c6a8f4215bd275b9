import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { sendJson } from '../helpers/fake-upstream.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { json } from '../helpers/management.js';
import { JSON_HEADERS, chatBody } from '../helpers/proxy-requests.js';

const WAIT = { timeout: 5000, interval: 50 };
const OPT_IN = { ...JSON_HEADERS, 'cache-control': 'public, max-age=60' };

interface UsageAnswer {
  readonly totals: { requests: number; cache_hits: number; errors: number };
}

describe('usage counted by the gateway', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { USAGE_ROLLUP_INTERVAL: '100ms' } });
  });

  afterAll(async () => {
    await gateway.close();
  });

  it('requests, cache hits and errors of a project reach GET /manage/usage', async () => {
    const { token, projectId } = await gateway.issueToken();
    gateway.upstream.script((request, res) => {
      if (request.url.startsWith('/v1/embeddings')) sendJson(res, 400, { error: { message: 'bad input' } });
      else sendJson(res, 200, { id: 'chatcmpl-usage', object: 'chat.completion', choices: [] });
    });
    const init = { method: 'POST', token, headers: OPT_IN, body: chatBody({ seed: 11 }) };
    for (const path of ['/v1/chat/completions', '/v1/chat/completions', '/v1/embeddings']) {
      const response = await gateway.proxy(path, init);
      await response.arrayBuffer();
    }
    await expect
      .poll(async () => {
        const answer = await gateway.manage('GET', `/manage/usage?project_id=${projectId}`);
        return json<UsageAnswer>(answer).totals;
      }, WAIT)
      .toMatchObject({ requests: 3, cache_hits: 1, errors: 1 });
  });
});

describe('usage switched off', () => {
  it('counts nothing with USAGE_ENABLED=false', async () => {
    const gateway = await startTestGateway({
      env: { USAGE_ENABLED: 'false', USAGE_ROLLUP_INTERVAL: '100ms' },
    });
    try {
      const { token, projectId } = await gateway.issueToken();
      const response = await gateway.proxy('/v1/models', { token });
      await response.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const answer = await gateway.manage('GET', `/manage/usage?project_id=${projectId}`);
      expect(json<UsageAnswer>(answer).totals.requests).toBe(0);
    } finally {
      await gateway.close();
    }
  });

  it('a malformed price file stops the start with its problems', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'llm-proxy-prices-')), 'prices.yaml');
    writeFileSync(path, 'models:\n  gpt-4o: { input: -1, output: cheap }\n');
    await expect(startTestGateway({ env: { USAGE_PRICES_FILE: path } })).rejects.toThrow(/USAGE_PRICES_FILE/);
  });
});
