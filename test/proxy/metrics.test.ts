import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { AUTH } from '../helpers/management.js';
import type { IssuedToken } from '../helpers/management.js';
import { closed, deferred } from '../helpers/network.js';
import { chatRequest } from '../helpers/proxy-requests.js';

const CHAT = { provider: 'openai', endpoint: '/v1/chat/completions' };

/** The value of the Prometheus sample with this name and (at least) these labels; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_:][a-z0-9_:]*)(\{(.*)\})? (\S+)$/i.exec(line);
    if (match?.[1] !== name) continue;
    const present = new Map(
      [...(match[3] ?? '').matchAll(/([a-z_]+)="([^"]*)"/gi)].map((pair) => [pair[1], pair[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => present.get(key) === value)) return Number(match[4]);
  }
  return undefined;
}

describe('metrics', () => {
  let h: TestGateway;
  let issued: IssuedToken;
  beforeAll(async () => {
    h = await startTestGateway();
    issued = await h.issueToken();
  });
  afterAll(async () => {
    await h.close();
  });

  const chat = (token: string) => h.injectProxy('/v1/chat/completions', chatRequest(token));
  /** Over the socket: the answer's head arrives while its body is still streaming. */
  const streamedChat = (token: string) => h.proxy('/v1/chat/completions', chatRequest(token));
  const jsonMetrics = async (): Promise<Record<string, number>> => {
    const response = await fetch(`${h.url}/metrics`);
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, number>;
  };
  const prometheus = async (): Promise<string> => {
    const response = await fetch(`${h.url}/metrics/prometheus`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  };

  it("serves JSON with the original program's keys and counts proxied requests and errors", async () => {
    const before = await jsonMetrics();
    for (const key of [
      'uptime_seconds',
      'request_count',
      'error_count',
      'cache_hits',
      'cache_misses',
      'cache_bypass',
      'cache_stores',
    ]) {
      expect(typeof before[key], key).toBe('number');
    }
    expect((await chat(issued.token)).status).toBe(200);
    expect((await chat(issued.token)).status).toBe(200);
    expect((await chat('sk-AAAAAAAAAAAAAAAAAAAAAA')).status).toBe(401);
    await vi.waitFor(async () => {
      const after = await jsonMetrics();
      expect(after.request_count! - before.request_count!).toBe(3);
      expect(after.error_count! - before.error_count!).toBe(1);
    });
    // Management and metrics requests are not proxied requests.
    await h.manage('GET', '/manage/projects');
    const last = await jsonMetrics();
    expect(last.request_count! - before.request_count!).toBe(3);
  });

  it('serves Prometheus text with per-endpoint counters, duration histograms, in-flight gauge and process metrics', async () => {
    const before = await prometheus();
    const okBefore =
      sample(before, 'llm_proxy_requests_total', { ...CHAT, method: 'POST', status: '200' }) ?? 0;
    const countBefore = sample(before, 'llm_proxy_request_duration_seconds_count', CHAT) ?? 0;
    expect((await chat(issued.token)).status).toBe(200);
    expect((await h.injectProxy('/v1/models', { token: issued.token })).status).toBe(200);
    expect((await chat('sk-BBBBBBBBBBBBBBBBBBBBBB')).status).toBe(401);
    await vi.waitFor(async () => {
      const text = await prometheus();
      expect(sample(text, 'llm_proxy_requests_total', { ...CHAT, method: 'POST', status: '200' })).toBe(
        okBefore + 1,
      );
      expect(sample(text, 'llm_proxy_request_duration_seconds_count', CHAT)).toBe(countBefore + 1);
      expect(sample(text, 'llm_proxy_requests_in_flight')).toBe(0);
    });
    const text = await prometheus();
    expect(
      sample(text, 'llm_proxy_requests_total', {
        provider: 'openai',
        endpoint: '/v1/models',
        method: 'GET',
        status: '200',
      }),
    ).toBe(1);
    expect(
      sample(text, 'llm_proxy_requests_total', { method: 'POST', status: '401' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'llm_proxy_errors_total', { code: 'token_not_found' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'llm_proxy_request_duration_seconds_bucket', { ...CHAT, le: '+Inf' })).toBe(
      countBefore + 1,
    );
    expect(sample(text, 'llm_proxy_upstream_duration_seconds_count', CHAT)).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'llm_proxy_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(text, 'llm_proxy_nodejs_heap_size_total_bytes')).toBeGreaterThan(0);
  });

  it('shows a request in flight while the upstream is answering', async () => {
    const release = deferred();
    h.upstream.script(async (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {}\n\n');
      await Promise.race([release.promise, closed(res)]);
      res.end('data: [DONE]\n\n');
    });
    const response = await streamedChat(issued.token);
    expect(response.status).toBe(200);
    expect(sample(await prometheus(), 'llm_proxy_requests_in_flight')).toBe(1);
    expect((await jsonMetrics()).in_flight).toBe(1);
    release.resolve();
    await response.text();
    await vi.waitFor(async () => {
      expect(sample(await prometheus(), 'llm_proxy_requests_in_flight')).toBe(0);
    });
    h.upstream.reset();
  });
});

describe('metrics with METRICS_REQUIRE_AUTH=true', () => {
  let h: TestGateway;
  beforeAll(async () => {
    h = await startTestGateway({ env: { METRICS_REQUIRE_AUTH: 'true' } });
  });
  afterAll(async () => {
    await h.close();
  });

  it.each(['/metrics', '/metrics/prometheus'])('%s needs the management token', async (path) => {
    expect((await fetch(`${h.url}${path}`)).status).toBe(401);
    const wrong = await fetch(`${h.url}${path}`, { headers: { authorization: 'Bearer wrong-token' } });
    expect(wrong.status).toBe(401);
    const issued = await h.issueToken();
    const asProxyToken = await fetch(`${h.url}${path}`, {
      headers: { authorization: `Bearer ${issued.token}` },
    });
    expect(asProxyToken.status).toBe(401);
    const allowed = await fetch(`${h.url}${path}`, { headers: AUTH });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toMatch(/request_count|llm_proxy_requests_in_flight/);
  });
});
