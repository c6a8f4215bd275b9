import type { DebugSample } from './benchmark-runner.js';
import { NETWORK_ERROR } from './benchmark-stats.js';
import type { BenchmarkSummary, LatencyStats } from './benchmark-stats.js';

const SPLIT_PERCENTILES = ['p50', 'p90', 'p99'] as const;
const LATENCY_FIELDS = ['avg', 'min', 'max', 'p50', 'p90', 'p95', 'p99'] as const;

/** One row of the human report: what and how much. */
export type ReportRow = readonly [string, string];

/** The summary as one JSON object (`--output json`), milliseconds rounded to microseconds. */
export function benchmarkJson(summary: BenchmarkSummary): Record<string, unknown> {
  return {
    requested: summary.requested,
    total_requests: summary.totalRequests,
    concurrency: summary.concurrency,
    duration_seconds: round(summary.durationSeconds),
    success: summary.succeeded,
    failed: summary.failed,
    requests_per_second: round(summary.requestsPerSecond),
    latency_ms: statsJson(summary.latency),
    upstream_latency_ms: statsJson(summary.upstream),
    proxy_latency_ms: statsJson(summary.proxy),
    cache_hits: summary.cacheHits ?? null,
    status_codes: Object.fromEntries(summary.statuses.map(({ status, count }) => [status, count])),
    network_errors: summary.networkErrors,
    interrupted: summary.interrupted,
  };
}

/** The rows of the human report, in the order of the original tool's table. */
export function benchmarkRows(summary: BenchmarkSummary): ReportRow[] {
  const total =
    summary.totalRequests === summary.requested
      ? String(summary.totalRequests)
      : `${summary.totalRequests} of ${summary.requested} (interrupted)`;
  const rows: ReportRow[] = [
    ['Total requests', total],
    ['Concurrency', String(summary.concurrency)],
    ['Duration (s)', summary.durationSeconds.toFixed(2)],
    ['Success (2xx)', String(summary.succeeded)],
    ['Failed', String(summary.failed)],
    ['Requests/sec', summary.requestsPerSecond.toFixed(2)],
  ];
  const { latency, upstream, proxy } = summary;
  if (latency !== undefined) {
    for (const field of LATENCY_FIELDS) rows.push([`Latency ${field}`, ms(latency[field])]);
  }
  if (upstream !== undefined && proxy !== undefined) {
    for (const field of SPLIT_PERCENTILES) rows.push([`Upstream latency ${field}`, ms(upstream[field])]);
    for (const field of SPLIT_PERCENTILES) rows.push([`Proxy latency ${field}`, ms(proxy[field])]);
    if (latency !== undefined && upstream.count < latency.count) {
      rows.push(['Split measured on', `${upstream.count} of ${latency.count} answers`]);
    }
  } else if (latency !== undefined) {
    rows.push(['Upstream/proxy split', 'not reported (no x-upstream-request-start/stop headers)']);
  }
  if (summary.cacheHits !== undefined) rows.push(['Cache hits', String(summary.cacheHits)]);
  for (const { status, count } of summary.statuses) {
    if (status !== NETWORK_ERROR) {
      rows.push([`Status ${status}`, String(count)]);
      continue;
    }
    const codes = Object.entries(summary.networkErrors)
      .map(([code, times]) => `${code}: ${times}`)
      .join(', ');
    rows.push(['Network error', `${count} (${codes})`]);
  }
  return rows;
}

/** `--debug` output: one request and its answer per status, Authorization already redacted. */
export function debugText(samples: readonly DebugSample[]): string {
  const blocks = samples.map((sample) => {
    const lines = [`--- sample for ${sample.status} ---`, `> ${sample.request.method} ${sample.request.url}`];
    for (const [name, value] of Object.entries(sample.request.headers)) lines.push(`> ${name}: ${value}`);
    if (sample.request.body !== undefined) lines.push('>', `> ${sample.request.body}`);
    if (sample.response === undefined) {
      lines.push(`! ${sample.error ?? 'no answer'}`);
      return lines.join('\n');
    }
    lines.push(`< ${sample.response.status}`);
    for (const [name, value] of Object.entries(sample.response.headers)) {
      if (value === undefined) continue;
      lines.push(`< ${name}: ${Array.isArray(value) ? value.join(', ') : value}`);
    }
    lines.push('<', `< ${sample.response.body}`);
    return lines.join('\n');
  });
  return blocks.join('\n\n');
}

function statsJson(stats: LatencyStats | undefined): Record<string, number> | null {
  if (stats === undefined) return null;
  return {
    count: stats.count,
    ...Object.fromEntries(LATENCY_FIELDS.map((field) => [field, round(stats[field])])),
  };
}

function ms(value: number): string {
  return `${value.toFixed(2)} ms`;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
