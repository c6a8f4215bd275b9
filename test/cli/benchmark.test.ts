import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { sendJson, startFakeUpstream } from '../helpers/fake-upstream.js';
import type { FakeUpstream } from '../helpers/fake-upstream.js';
import { freePort, sleep } from '../helpers/network.js';
import {
  collect,
  runCli,
  spawnCli,
  startServer,
  tempDir,
  writeChatProviderFile,
  issueToken,
} from './cli-harness.js';

const TOKEN = 'proxy-token-for-benchmark-tests';
const BODY = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"ping"}]}';

interface Stats {
  count: number;
  avg: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}

interface JsonReport {
  requested: number;
  total_requests: number;
  concurrency: number;
  duration_seconds: number;
  success: number;
  failed: number;
  requests_per_second: number;
  latency_ms: Stats | null;
  upstream_latency_ms: Stats | null;
  proxy_latency_ms: Stats | null;
  cache_hits: number | null;
  status_codes: Record<string, number>;
  network_errors: Record<string, number>;
  interrupted: boolean;
}

let upstream: FakeUpstream;
let inFlight = 0;
let mostInFlight = 0;

/** Answers like the proxy would: JSON, with the upstream's share in x-upstream-request-start/stop. */
function proxyLikeAnswers(
  status: (turn: number) => number = () => 200,
  headers: (turn: number) => Record<string, string> = () => ({}),
): void {
  upstream.script(async (_request, res) => {
    const turn = upstream.requests.length;
    inFlight += 1;
    mostInFlight = Math.max(mostInFlight, inFlight);
    const start = BigInt(Date.now()) * 1_000_000n;
    await sleep(10);
    inFlight -= 1;
    sendJson(res, status(turn), status(turn) === 200 ? { ok: true } : { error: { message: 'slow down' } }, {
      'x-upstream-request-start': String(start),
      // 4 ms of the answer were the upstream's, the rest the proxy's.
      'x-upstream-request-stop': String(start + 4_000_000n),
      ...headers(turn),
    });
  });
}

function benchmark(args: readonly string[], env: Record<string, string | undefined> = {}) {
  return runCli(['benchmark', '--base-url', upstream.url, '--endpoint', '/v1/chat/completions', ...args], {
    env: { PROXY_TOKEN: TOKEN, ...env },
  });
}

beforeAll(async () => {
  upstream = await startFakeUpstream();
});

afterAll(async () => {
  await upstream.close();
});

beforeEach(() => {
  upstream.reset();
  inFlight = 0;
  mostInFlight = 0;
  proxyLikeAnswers();
});

describe('llm-proxy benchmark', () => {
  it('-r 50 -c 5 --output json sends 50 requests, at most 5 at once, and reports counts, percentiles and the split', async () => {
    const result = await benchmark(['-r', '50', '-c', '5', '--json', BODY, '--output', 'json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report).toMatchObject({
      requested: 50,
      total_requests: 50,
      concurrency: 5,
      success: 50,
      failed: 0,
      status_codes: { '200': 50 },
      network_errors: {},
      cache_hits: null,
      interrupted: false,
    });
    expect(report.duration_seconds).toBeGreaterThan(0);
    // duration_seconds is rounded in the report: compare with a relative tolerance.
    expect(
      Math.abs(report.requests_per_second - 50 / report.duration_seconds) / report.requests_per_second,
    ).toBeLessThan(0.01);
    const latency = report.latency_ms;
    expect(latency?.count).toBe(50);
    expect(latency?.min).toBeGreaterThanOrEqual(10);
    for (const key of ['p50', 'p90', 'p95', 'p99', 'max'] as const) {
      expect(latency?.[key]).toBeGreaterThanOrEqual(latency?.min ?? Infinity);
    }
    expect(latency?.p50).toBeLessThanOrEqual(latency?.p99 ?? 0);
    expect(report.upstream_latency_ms).toMatchObject({ count: 50, min: 4, p50: 4, p90: 4, p99: 4, max: 4 });
    expect(report.proxy_latency_ms?.count).toBe(50);
    expect(report.proxy_latency_ms?.p50).toBeCloseTo((latency?.p50 ?? 0) - 4, 0);

    expect(upstream.requests).toHaveLength(50);
    expect(mostInFlight).toBeLessThanOrEqual(5);
    expect(mostInFlight).toBeGreaterThan(1);
    for (const request of upstream.requests) {
      expect(request.method).toBe('POST');
      expect(request.url).toBe('/v1/chat/completions');
      expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['x-request-start']).toMatch(/^\d{19}$/);
      expect(request.body.toString()).toBe(BODY);
    }
    // The progress goes to stderr, never into the JSON on stdout.
    expect(result.stderr).toContain('progress: 50/50 requests (100%)');
  });

  it('prints a table with totals, latency percentiles, the proxy/upstream split and each status', async () => {
    proxyLikeAnswers((turn) => (turn % 5 === 0 ? 429 : 200));
    const result = await benchmark(['-r', '20', '-c', '4', '--json', BODY]);
    expect(result.code).toBe(0);
    const rows = tableRows(result.stdout);
    expect(rows).toMatchObject({
      'Total requests': '20',
      Concurrency: '4',
      'Success (2xx)': '16',
      Failed: '4',
      'Upstream latency p50': '4.00 ms',
      'Upstream latency p99': '4.00 ms',
      'Status 200': '16',
      'Status 429': '4',
    });
    for (const name of ['Duration (s)', 'Requests/sec', 'Latency avg', 'Latency min', 'Latency max']) {
      expect(rows[name]).toMatch(/^\d+\.\d{2}( ms)?$/);
    }
    for (const name of ['Latency p50', 'Latency p90', 'Latency p95', 'Latency p99']) {
      expect(rows[name]).toMatch(/^\d+\.\d{2} ms$/);
    }
    for (const name of ['Proxy latency p50', 'Proxy latency p90', 'Proxy latency p99']) {
      expect(rows[name]).toMatch(/^\d+\.\d{2} ms$/);
    }
    expect(rows['Cache hits']).toBeUndefined();
  });

  it('--cache sends Cache-Control with --cache-ttl and counts x-proxy-cache hits', async () => {
    proxyLikeAnswers(
      () => 200,
      (turn) => ({ 'x-proxy-cache': turn === 1 ? 'miss' : turn === 2 ? 'conditional-hit' : 'hit' }),
    );
    const result = await benchmark(['-r', '4', '--cache-ttl', '60', '--method', 'get', '--output', 'json']);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as JsonReport).cache_hits).toBe(3);
    for (const request of upstream.requests) {
      expect(request.method).toBe('GET');
      expect(request.headers['cache-control']).toBe('public, max-age=60');
      expect(request.headers['content-type']).toBeUndefined();
    }

    const plain = await benchmark(['--cache']);
    expect(tableRows(plain.stdout)['Cache hits']).toBe('1');
    expect(upstream.requests.at(-1)?.headers['cache-control']).toBe('public, max-age=86400');
  });

  it('--debug prints one sample per status on stderr with the token redacted', async () => {
    proxyLikeAnswers(
      (turn) => (turn === 2 ? 503 : 200),
      () => ({ 'x-request-id': 'sample-id' }),
    );
    const result = await benchmark(['-r', '3', '--debug', '--token-env', 'OTHER'], { OTHER: TOKEN });
    expect(result.code).toBe(0);
    expect(result.stderr.match(/--- sample for 200 ---/g)).toHaveLength(1);
    expect(result.stderr).toContain('--- sample for 503 ---');
    expect(result.stderr).toContain('> authorization: [redacted]');
    expect(result.stderr).toContain('< x-request-id: sample-id');
    expect(result.stderr).toContain('< {"error":{"message":"slow down"}}');
    expect(result.stderr).not.toContain(TOKEN);
    expect(result.stdout).not.toContain(TOKEN);
    expect(upstream.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('counts requests without an answer as network errors and exits 1 when every request failed', async () => {
    const port = await freePort();
    const result = await runCli(
      [
        'benchmark',
        '--base-url',
        `http://127.0.0.1:${port}`,
        '--endpoint',
        '/v1/models',
        '-r',
        '3',
        '--token',
        TOKEN,
      ],
      {},
    );
    expect(result.code).toBe(1);
    const rows = tableRows(result.stdout);
    expect(rows).toMatchObject({
      'Total requests': '3',
      'Success (2xx)': '0',
      Failed: '3',
      'Network error': '3 (ECONNREFUSED: 3)',
    });
    expect(rows['Latency avg']).toBeUndefined();
    expect(result.stderr).toMatch(/error: every request failed \(network error: 3\)\n$/);
  });

  it('exits 1 when every request got an error status', async () => {
    proxyLikeAnswers(() => 401);
    const result = await benchmark(['-r', '2', '--output', 'json']);
    expect(result.code).toBe(1);
    expect((JSON.parse(result.stdout) as JsonReport).status_codes).toEqual({ '401': 2 });
    expect(result.stderr).toMatch(/error: every request failed \(401: 2\)\n$/);
  });

  it('Ctrl-C stops sending, lets the requests in flight finish and reports what was done', async () => {
    upstream.script(async (_request, res) => {
      await sleep(100);
      sendJson(res, 200, { ok: true });
    });
    const child = spawnCli(
      ['benchmark', '--base-url', upstream.url, '--endpoint', '/v1/models', '-r', '1000', '-c', '2'],
      { env: { PROXY_TOKEN: TOKEN } },
    );
    child.stdin?.end();
    const done = collect(child);
    while (upstream.requests.length < 4) await sleep(10);
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('interrupted: waiting for the requests in flight');
    const rows = tableRows(result.stdout);
    const sent = upstream.requests.length;
    expect(sent).toBeLessThan(1000);
    expect(rows['Total requests']).toBe(`${sent} of 1000 (interrupted)`);
    expect(rows['Status 200']).toBe(String(sent));
  });

  it('refuses a missing token, a missing endpoint, a body on GET and a body that is not JSON', async () => {
    const noToken = await benchmark([], { PROXY_TOKEN: undefined });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toBe('error: a token is required: pass --token or set PROXY_TOKEN\n');

    const noEndpoint = await runCli(['benchmark', '--base-url', upstream.url, '--token', TOKEN]);
    expect(noEndpoint.code).toBe(2);
    expect(noEndpoint.stderr).toContain("required option '--endpoint <path>' not specified");

    const getBody = await benchmark(['--method', 'GET', '--json', '{}']);
    expect(getBody.code).toBe(2);
    expect(getBody.stderr).toBe('error: --json needs --method POST, PUT or PATCH, not GET\n');

    const badJson = await benchmark(['--json', '{nope']);
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toMatch(/^error: --json: not valid JSON/);

    const badOutput = await benchmark(['--output', 'yaml']);
    expect(badOutput.code).toBe(2);
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('llm-proxy benchmark through a real llm-proxy server', () => {
  const MANAGEMENT_TOKEN = 'benchmark-test-management-token-0123456789';
  let dir: ReturnType<typeof tempDir>;

  beforeAll(() => {
    dir = tempDir();
  });

  afterAll(() => {
    dir.remove();
  });

  it('splits each latency into the upstream share the proxy reports and the rest', async () => {
    upstream.script(async (_request, res) => {
      await sleep(20);
      sendJson(res, 200, { choices: [{ index: 0, message: { role: 'assistant', content: 'pong' } }] });
    });
    const providers = writeChatProviderFile(dir.path, upstream.url);
    const server = await startServer({
      cwd: dir.path,
      env: { MANAGEMENT_TOKEN, API_CONFIG_PATH: providers },
    });
    try {
      const token = await issueToken(server.url, MANAGEMENT_TOKEN, 'sk-benchmark-upstream-key');
      const result = await runCli(
        [
          'benchmark',
          '--base-url',
          server.url,
          '--endpoint',
          '/v1/chat/completions',
          '--token',
          token,
          '-r',
          '10',
          '-c',
          '2',
          '--json',
          BODY,
          '--output',
          'json',
        ],
        {},
      );
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as JsonReport;
      expect(report).toMatchObject({ total_requests: 10, success: 10, status_codes: { '200': 10 } });
      expect(report.upstream_latency_ms?.count).toBe(10);
      expect(report.upstream_latency_ms?.min).toBeGreaterThanOrEqual(19);
      expect(report.proxy_latency_ms?.count).toBe(10);
      expect(report.proxy_latency_ms?.min).toBeGreaterThanOrEqual(0);
      expect(upstream.requests).toHaveLength(10);
      expect(upstream.requests[0]?.headers.authorization).toBe('Bearer sk-benchmark-upstream-key');
    } finally {
      await server.stop();
    }
  });
});

/** The two-column table of the report as field → value. */
function tableRows(stdout: string): Record<string, string> {
  const rows: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const cells = line.split('│').map((cell) => cell.trim());
    if (cells.length === 4 && cells[1] !== undefined && cells[2] !== undefined) rows[cells[1]] = cells[2];
  }
  return rows;
}
