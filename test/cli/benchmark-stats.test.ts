import { describe, expect, it } from 'vitest';

import {
  NETWORK_ERROR,
  latencyStats,
  percentile,
  summarizeBenchmark,
  upstreamMsFromHeaders,
} from '../../src/cli/benchmark/benchmark-stats.js';
import type { RequestSample } from '../../src/cli/benchmark/benchmark-stats.js';

const facts = { requested: 0, concurrency: 2, durationMs: 2000, cacheRequested: false, interrupted: false };

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 90)).toBe(90);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 51)).toBe(30);
    expect(percentile([7], 99)).toBe(7);
  });

  it('is NaN without values', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('latencyStats', () => {
  it('sorts its input and reports avg, extremes and percentiles', () => {
    expect(latencyStats([30, 10, 20, 40])).toEqual({
      count: 4,
      avg: 25,
      min: 10,
      max: 40,
      p50: 20,
      p90: 40,
      p95: 40,
      p99: 40,
    });
  });

  it('is undefined without values', () => {
    expect(latencyStats([])).toBeUndefined();
  });
});

describe('upstreamMsFromHeaders', () => {
  it('subtracts unix nanoseconds without losing precision', () => {
    expect(upstreamMsFromHeaders('1700000000123456789', '1700000000125956789')).toBe(2.5);
  });

  it('ignores missing, malformed and reversed values', () => {
    expect(upstreamMsFromHeaders(undefined, '1')).toBeUndefined();
    expect(upstreamMsFromHeaders('1', undefined)).toBeUndefined();
    expect(upstreamMsFromHeaders('1.5', '3')).toBeUndefined();
    expect(upstreamMsFromHeaders('2024-01-01T00:00:00Z', '3')).toBeUndefined();
    expect(upstreamMsFromHeaders('5000000', '1000000')).toBeUndefined();
  });
});

describe('summarizeBenchmark', () => {
  const samples: RequestSample[] = [
    { status: 200, latencyMs: 10, upstreamMs: 8 },
    { status: 200, latencyMs: 20, upstreamMs: 15, cache: 'miss' },
    { status: 201, latencyMs: 30, upstreamMs: 21, cache: 'HIT' },
    { status: 429, latencyMs: 2 },
    { status: undefined, error: 'ECONNRESET', latencyMs: 1 },
    { status: undefined, error: 'timeout', latencyMs: 60_000 },
    { status: 200, latencyMs: 5, cache: 'conditional-hit' },
  ];
  const summary = summarizeBenchmark(samples, { ...facts, requested: samples.length });

  it('counts 2xx as success and everything else, answered or not, as failed', () => {
    expect(summary.totalRequests).toBe(7);
    expect(summary.succeeded).toBe(4);
    expect(summary.failed).toBe(3);
    expect(summary.requestsPerSecond).toBe(3.5);
    expect(summary.durationSeconds).toBe(2);
  });

  it('measures latency over answers only, and splits it where the proxy reported upstream time', () => {
    expect(summary.latency).toMatchObject({ count: 5, min: 2, max: 30, avg: 13.4 });
    expect(summary.upstream).toMatchObject({ count: 3, min: 8, max: 21, p50: 15 });
    expect(summary.proxy).toMatchObject({ count: 3, min: 2, max: 9, p50: 5 });
  });

  it('counts statuses in numeric order with network errors last, and network errors by code', () => {
    expect(summary.statuses).toEqual([
      { status: '200', count: 3 },
      { status: '201', count: 1 },
      { status: '429', count: 1 },
      { status: NETWORK_ERROR, count: 2 },
    ]);
    expect(summary.networkErrors).toEqual({ ECONNRESET: 1, timeout: 1 });
  });

  it('counts hit and conditional-hit as cache hits once any answer carried x-proxy-cache', () => {
    expect(summary.cacheHits).toBe(2);
  });

  it('leaves cache hits and the split out when nothing reported them, unless --cache was given', () => {
    const plain: RequestSample[] = [{ status: 200, latencyMs: 4 }];
    const without = summarizeBenchmark(plain, { ...facts, requested: 1 });
    expect(without.cacheHits).toBeUndefined();
    expect(without.upstream).toBeUndefined();
    expect(without.proxy).toBeUndefined();
    expect(summarizeBenchmark(plain, { ...facts, requested: 1, cacheRequested: true }).cacheHits).toBe(0);
  });

  it('has no latency when nothing answered and no rate for a zero duration', () => {
    const none = summarizeBenchmark([{ status: undefined, error: 'ECONNREFUSED', latencyMs: 1 }], {
      ...facts,
      requested: 1,
      durationMs: 0,
    });
    expect(none.latency).toBeUndefined();
    expect(none.requestsPerSecond).toBe(0);
    expect(none.succeeded).toBe(0);
  });
});
