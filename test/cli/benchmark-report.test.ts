import { describe, expect, it } from 'vitest';

import { benchmarkJson, benchmarkRows, debugText } from '../../src/cli/benchmark/benchmark-report.js';
import { summarizeBenchmark } from '../../src/cli/benchmark/benchmark-stats.js';
import type { RequestSample } from '../../src/cli/benchmark/benchmark-stats.js';
import { progressLine } from '../../src/cli/benchmark/progress-bar.js';

const samples: RequestSample[] = [
  { status: 200, latencyMs: 10, upstreamMs: 7.5 },
  { status: 200, latencyMs: 12.3456789 },
  { status: undefined, error: 'ECONNREFUSED', latencyMs: 1 },
];
const summary = summarizeBenchmark(samples, {
  requested: 4,
  concurrency: 2,
  durationMs: 1500,
  cacheRequested: true,
  interrupted: true,
});

describe('benchmarkJson', () => {
  it('is one object with every figure, milliseconds rounded to microseconds', () => {
    expect(benchmarkJson(summary)).toEqual({
      requested: 4,
      total_requests: 3,
      concurrency: 2,
      duration_seconds: 1.5,
      success: 2,
      failed: 1,
      requests_per_second: 2,
      latency_ms: {
        count: 2,
        avg: 11.173,
        min: 10,
        max: 12.346,
        p50: 10,
        p90: 12.346,
        p95: 12.346,
        p99: 12.346,
      },
      upstream_latency_ms: { count: 1, avg: 7.5, min: 7.5, max: 7.5, p50: 7.5, p90: 7.5, p95: 7.5, p99: 7.5 },
      proxy_latency_ms: { count: 1, avg: 2.5, min: 2.5, max: 2.5, p50: 2.5, p90: 2.5, p95: 2.5, p99: 2.5 },
      cache_hits: 0,
      status_codes: { '200': 2, 'network error': 1 },
      network_errors: { ECONNREFUSED: 1 },
      interrupted: true,
    });
  });
});

describe('benchmarkRows', () => {
  it('lists totals, latency, the split, cache hits and statuses', () => {
    const rows = Object.fromEntries(benchmarkRows(summary));
    expect(rows).toMatchObject({
      'Total requests': '3 of 4 (interrupted)',
      'Duration (s)': '1.50',
      'Success (2xx)': '2',
      Failed: '1',
      'Requests/sec': '2.00',
      'Latency p99': '12.35 ms',
      'Upstream latency p90': '7.50 ms',
      'Proxy latency p50': '2.50 ms',
      'Split measured on': '1 of 2 answers',
      'Cache hits': '0',
      'Status 200': '2',
      'Network error': '1 (ECONNREFUSED: 1)',
    });
  });

  it('says so when no answer reported the upstream time', () => {
    const plain = summarizeBenchmark([{ status: 200, latencyMs: 3 }], {
      requested: 1,
      concurrency: 1,
      durationMs: 10,
      cacheRequested: false,
      interrupted: false,
    });
    const rows = Object.fromEntries(benchmarkRows(plain));
    expect(rows['Upstream/proxy split']).toMatch(/not reported/);
    expect(rows['Cache hits']).toBeUndefined();
    expect(rows['Total requests']).toBe('1');
  });
});

describe('debugText', () => {
  it('shows each sample request and answer', () => {
    const text = debugText([
      {
        status: '401',
        request: {
          method: 'POST',
          url: 'http://x/v1/chat',
          headers: { authorization: '[redacted]' },
          body: '{}',
        },
        response: { status: 401, headers: { 'x-request-id': 'r1' }, body: '{"error":{}}' },
        error: undefined,
      },
      {
        status: 'network error',
        request: { method: 'GET', url: 'http://x/', headers: {}, body: undefined },
        response: undefined,
        error: 'ECONNREFUSED: connect ECONNREFUSED',
      },
    ]);
    expect(text).toContain('--- sample for 401 ---');
    expect(text).toContain('> authorization: [redacted]');
    expect(text).toContain('< x-request-id: r1');
    expect(text).toContain('! ECONNREFUSED: connect ECONNREFUSED');
  });
});

describe('progressLine', () => {
  it('draws the bar, the count, the percentage and the rate within the width', () => {
    const line = progressLine(25, 50, 2, 'requests', 80);
    expect(line).toMatch(/^\[#+-+\] 25\/50 requests 50% 12\.5\/s$/);
    expect(line.length).toBeLessThanOrEqual(80);
    expect(progressLine(1, 2, 0, 'requests', 20)).toBe('1/2 requests 50% 0.0/s');
  });
});
