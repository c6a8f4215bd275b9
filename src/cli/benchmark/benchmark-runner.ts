import type { IncomingHttpHeaders } from 'node:http';

import { Pool } from 'undici';

import { errorCodeOf } from '../shared/cli-error.js';
import { statusLabel, upstreamMsFromHeaders } from './benchmark-stats.js';
import type { RequestSample } from './benchmark-stats.js';

// How much of a response body `--debug` keeps.
const DEBUG_BODY_LIMIT = 4096;
const REDACTED = '[redacted]';

/** What to send and how often. */
export interface BenchmarkPlan {
  /** Full URL of the endpoint (base URL joined with the endpoint path). */
  readonly url: URL;
  readonly method: string;
  /** Request headers besides `X-REQUEST-START`, which each request gets fresh. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
  readonly requests: number;
  readonly concurrency: number;
  /** Longest a request may take, headers and body, before it counts as a network error `timeout`. */
  readonly timeoutMs: number;
  /** Keep one request/response sample per status. */
  readonly debug: boolean;
}

/** One request and what came back, kept by `--debug` (Authorization redacted). */
export interface DebugSample {
  readonly status: string;
  readonly request: {
    readonly method: string;
    readonly url: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly body: string | undefined;
  };
  readonly response:
    { readonly status: number; readonly headers: IncomingHttpHeaders; readonly body: string } | undefined;
  readonly error: string | undefined;
}

/** Hooks into a run. */
export interface BenchmarkRunOptions {
  /** Called after each request with the number finished so far. */
  readonly onProgress?: (done: number) => void;
  /** Stops handing out new requests (Ctrl-C); those in flight still finish and count. */
  readonly signal?: AbortSignal;
}

/** The raw outcome of a run. */
export interface BenchmarkRun {
  readonly samples: readonly RequestSample[];
  readonly durationMs: number;
  readonly debugSamples: readonly DebugSample[];
  readonly interrupted: boolean;
}

/**
 * Sends the planned requests through one connection pool (`connections = concurrency`), split evenly over
 * `concurrency` workers that each send one request at a time.
 */
export async function runBenchmark(
  plan: BenchmarkPlan,
  options: BenchmarkRunOptions = {},
): Promise<BenchmarkRun> {
  const pool = new Pool(plan.url.origin, {
    connections: plan.concurrency,
    headersTimeout: plan.timeoutMs,
    bodyTimeout: plan.timeoutMs,
  });
  const samples: RequestSample[] = [];
  const debugSamples = new Map<string, DebugSample>();
  const workers = Math.min(plan.concurrency, plan.requests);
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: workers }, async (_, worker) => {
        const share = Math.floor(plan.requests / workers) + (worker < plan.requests % workers ? 1 : 0);
        for (let sent = 0; sent < share && options.signal?.aborted !== true; sent += 1) {
          const sample = await sendOne(pool, plan, debugSamples);
          samples.push(sample);
          options.onProgress?.(samples.length);
        }
      }),
    );
  } finally {
    await pool.close();
  }
  return {
    samples,
    durationMs: performance.now() - started,
    debugSamples: [...debugSamples.values()],
    interrupted: samples.length < plan.requests,
  };
}

async function sendOne(
  pool: Pool,
  plan: BenchmarkPlan,
  debugSamples: Map<string, DebugSample>,
): Promise<RequestSample> {
  const headers = { ...plan.headers, 'x-request-start': nowNs() };
  const path = plan.url.pathname + plan.url.search;
  const started = performance.now();
  const timeout = AbortSignal.timeout(plan.timeoutMs);
  try {
    const response = await pool.request({
      path,
      method: plan.method,
      headers,
      body: plan.body,
      signal: timeout,
    });
    const keep = plan.debug && !debugSamples.has(String(response.statusCode));
    let kept = '';
    // Read to the end: the latency of an answer includes its body.
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      if (keep && kept.length < DEBUG_BODY_LIMIT) kept += chunk.toString('utf8');
    }
    const latencyMs = performance.now() - started;
    const upstreamMs = upstreamMsFromHeaders(
      headerValue(response.headers['x-upstream-request-start']),
      headerValue(response.headers['x-upstream-request-stop']),
    );
    const cache = headerValue(response.headers['x-proxy-cache']);
    const sample: RequestSample = {
      status: response.statusCode,
      latencyMs,
      ...(upstreamMs === undefined ? {} : { upstreamMs }),
      ...(cache === undefined ? {} : { cache }),
    };
    if (keep) {
      debugSamples.set(statusLabel(sample), {
        status: statusLabel(sample),
        request: debugRequest(plan, headers),
        response: {
          status: response.statusCode,
          headers: response.headers,
          body: kept.slice(0, DEBUG_BODY_LIMIT),
        },
        error: undefined,
      });
    }
    return sample;
  } catch (error) {
    const code = timeout.aborted ? 'timeout' : errorCodeOf(error);
    const sample: RequestSample = { status: undefined, error: code, latencyMs: performance.now() - started };
    if (plan.debug && !debugSamples.has(statusLabel(sample))) {
      debugSamples.set(statusLabel(sample), {
        status: statusLabel(sample),
        request: debugRequest(plan, headers),
        response: undefined,
        error: error instanceof Error ? `${code}: ${error.message}` : code,
      });
    }
    return sample;
  }
}

function debugRequest(plan: BenchmarkPlan, headers: Record<string, string>): DebugSample['request'] {
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    shown[name] = name.toLowerCase() === 'authorization' ? REDACTED : value;
  }
  return { method: plan.method, url: plan.url.href, headers: shown, body: plan.body };
}

// Unix time in nanoseconds, as the proxy writes its x-upstream-request-* headers.
function nowNs(): string {
  return String(Math.round((performance.timeOrigin + performance.now()) * 1e6));
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
