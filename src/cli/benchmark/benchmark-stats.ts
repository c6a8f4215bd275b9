/** Label of requests that got no HTTP answer at all. */
export const NETWORK_ERROR = 'network error';

const CACHE_HITS = new Set(['hit', 'conditional-hit']);
const NANOSECONDS = /^\d{1,20}$/;

/** One finished request of a benchmark. */
export interface RequestSample {
  /** HTTP status; undefined when no answer came (refused, reset, timed out). */
  readonly status: number | undefined;
  /** Why no answer came: an error code such as ECONNREFUSED or `timeout`. */
  readonly error?: string;
  /** From sending the request until the last byte of the response body. */
  readonly latencyMs: number;
  /** Upstream time the proxy reported (`x-upstream-request-stop` − `x-upstream-request-start`). */
  readonly upstreamMs?: number;
  /** The `x-proxy-cache` header, if any. */
  readonly cache?: string;
}

/** Distribution of a set of durations, in milliseconds. */
export interface LatencyStats {
  readonly count: number;
  readonly avg: number;
  readonly min: number;
  readonly max: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
}

/** How often one status came back (`200`, `429`, … or {@link NETWORK_ERROR}). */
export interface StatusCount {
  readonly status: string;
  readonly count: number;
}

/** What the run itself knew besides its samples. */
export interface RunFacts {
  readonly requested: number;
  readonly concurrency: number;
  readonly durationMs: number;
  /** `--cache` was given: the cache-hit count is shown even when no answer carried `x-proxy-cache`. */
  readonly cacheRequested: boolean;
  readonly interrupted: boolean;
}

/** Everything the benchmark report shows. */
export interface BenchmarkSummary {
  readonly requested: number;
  readonly totalRequests: number;
  readonly concurrency: number;
  readonly durationSeconds: number;
  /** 2xx answers. */
  readonly succeeded: number;
  /** Non-2xx answers and requests without an answer. */
  readonly failed: number;
  readonly requestsPerSecond: number;
  /** Over every HTTP answer, whatever its status; undefined when none came. */
  readonly latency: LatencyStats | undefined;
  /** Upstream share of the answers that reported it; undefined when none did. */
  readonly upstream: LatencyStats | undefined;
  /** The rest of the same answers' latency: proxy work plus the network between client and proxy. */
  readonly proxy: LatencyStats | undefined;
  /** Undefined when neither `--cache` was given nor any answer carried `x-proxy-cache`. */
  readonly cacheHits: number | undefined;
  readonly statuses: readonly StatusCount[];
  /** Requests without an answer, by error code. */
  readonly networkErrors: Readonly<Record<string, number>>;
  readonly interrupted: boolean;
}

/** The nearest-rank percentile (p in 0..100) of values sorted ascending; NaN for no values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  const index = Math.min(sorted.length - 1, Math.max(0, rank - 1));
  return sorted[index] ?? Number.NaN;
}

/** Average, extremes and percentiles of some durations; undefined for none. */
export function latencyStats(values: readonly number[]): LatencyStats | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    count: sorted.length,
    avg: sum / sorted.length,
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
  };
}

/**
 * Milliseconds between the proxy's `x-upstream-request-start` and `x-upstream-request-stop` (unix nanoseconds);
 * undefined when either is missing or malformed. BigInt: nanoseconds since 1970 exceed 2^53.
 */
export function upstreamMsFromHeaders(
  start: string | undefined,
  stop: string | undefined,
): number | undefined {
  if (start === undefined || stop === undefined) return undefined;
  const from = start.trim();
  const to = stop.trim();
  if (!NANOSECONDS.test(from) || !NANOSECONDS.test(to)) return undefined;
  const elapsed = BigInt(to) - BigInt(from);
  if (elapsed < 0n) return undefined;
  return Number(elapsed) / 1e6;
}

/** Condenses the samples of a run into the numbers the report shows. */
export function summarizeBenchmark(samples: readonly RequestSample[], facts: RunFacts): BenchmarkSummary {
  const answered = samples.filter((sample) => sample.status !== undefined);
  const split = answered.filter((sample) => sample.upstreamMs !== undefined);
  const succeeded = answered.filter((sample) => isSuccess(sample.status)).length;
  const cacheSeen = samples.some((sample) => sample.cache !== undefined);
  const durationSeconds = facts.durationMs / 1000;
  return {
    requested: facts.requested,
    totalRequests: samples.length,
    concurrency: facts.concurrency,
    durationSeconds,
    succeeded,
    failed: samples.length - succeeded,
    requestsPerSecond: durationSeconds > 0 ? samples.length / durationSeconds : 0,
    latency: latencyStats(answered.map((sample) => sample.latencyMs)),
    upstream: latencyStats(split.map((sample) => sample.upstreamMs ?? 0)),
    proxy: latencyStats(split.map((sample) => sample.latencyMs - (sample.upstreamMs ?? 0))),
    cacheHits:
      facts.cacheRequested || cacheSeen
        ? samples.filter((sample) => CACHE_HITS.has((sample.cache ?? '').trim().toLowerCase())).length
        : undefined,
    statuses: countStatuses(samples),
    networkErrors: countErrors(samples),
    interrupted: facts.interrupted,
  };
}

/** The label a sample is counted under: its status code, or {@link NETWORK_ERROR}. */
export function statusLabel(sample: Pick<RequestSample, 'status'>): string {
  return sample.status === undefined ? NETWORK_ERROR : String(sample.status);
}

function isSuccess(status: number | undefined): boolean {
  return status !== undefined && status >= 200 && status <= 299;
}

function countStatuses(samples: readonly RequestSample[]): StatusCount[] {
  const counts = new Map<string, number>();
  for (const sample of samples) {
    const label = statusLabel(sample);
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  // Numeric order, the requests without an answer last.
  const order = (label: string): number =>
    label === NETWORK_ERROR ? Number.MAX_SAFE_INTEGER : Number(label);
  return [...counts]
    .map(([status, count]) => ({ status, count }))
    .sort((a, b) => order(a.status) - order(b.status));
}

function countErrors(samples: readonly RequestSample[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const sample of samples) {
    if (sample.status !== undefined) continue;
    const code = sample.error ?? 'unknown';
    counts[code] = (counts[code] ?? 0) + 1;
  }
  return counts;
}
