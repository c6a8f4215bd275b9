import autocannon from 'autocannon';
import type { AutocannonResult } from 'autocannon';

import { cpuSeconds } from './cpu-time.js';
import { requestHeaders } from './scenarios.js';
import type { Scenario, Target } from './scenarios.js';

/** How hard and how long to load a target. */
export interface ThroughputOptions {
  readonly connections: number;
  /** Measured seconds. */
  readonly durationSeconds: number;
  /** Unmeasured seconds of the same load first. */
  readonly warmupSeconds: number;
}

/** What one loaded run measured. */
export interface ThroughputStats {
  readonly requestsPerSecond: number;
  readonly requests: number;
  /** Milliseconds, as autocannon records them (whole ms). */
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** CPU time the target's process spent per request during the measured run (µs); NaN without procfs. */
  readonly cpuUsPerRequest: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

/** Thrown when a loaded run saw failed requests: its numbers are not a valid measurement. */
export class FailedRequestsError extends Error {
  override readonly name = 'FailedRequestsError';
}

/** One autocannon run against a target. */
export interface LoadOptions {
  readonly connections: number;
  readonly seconds: number;
  /** Names the run in error messages. */
  readonly title: string;
}

/**
 * Loads a target with autocannon — a warm-up, then the measured run — and returns requests per second and
 * latency. Throws {@link FailedRequestsError} when any request of either run failed or was not 2xx.
 */
export async function measureThroughput(
  target: Target<string>,
  scenario: Scenario<string>,
  options: ThroughputOptions,
): Promise<ThroughputStats> {
  const run = (seconds: number, title: string): Promise<ThroughputStats> =>
    runLoad(target, scenario, { connections: options.connections, seconds, title });
  const label = `${target.name} ${scenario.name}`;
  if (options.warmupSeconds > 0) await run(options.warmupSeconds, `${label} warm-up`);
  return run(options.durationSeconds, label);
}

/**
 * One autocannon run, with the CPU time the target's process spent during it. Throws
 * {@link FailedRequestsError} when any request failed or was not 2xx.
 */
export async function runLoad(
  target: Target<string>,
  scenario: Scenario<string>,
  options: LoadOptions,
): Promise<ThroughputStats> {
  const { nextBody } = scenario;
  const cpuBefore = cpuSeconds(target.pid);
  const result = await autocannon({
    title: options.title,
    url: `${target.origin}${scenario.path}`,
    method: scenario.method,
    headers: requestHeaders(target, scenario),
    body: scenario.body,
    // autocannon rebuilds a request that has a setup function before every send: a body of its own each time.
    ...(nextBody !== undefined && {
      requests: [{ setupRequest: (request) => ({ ...request, body: nextBody() }) }],
    }),
    connections: options.connections,
    duration: options.seconds,
    timeout: 10,
    pipelining: 1,
  });
  const cpuAfter = cpuSeconds(target.pid);
  assertAllSucceeded(result);
  const cpuUsed = cpuBefore === undefined || cpuAfter === undefined ? Number.NaN : cpuAfter - cpuBefore;
  return {
    requestsPerSecond: result.requests.total / result.duration,
    requests: result.requests.total,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    cpuUsPerRequest: (cpuUsed * 1e6) / result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

function assertAllSucceeded(result: AutocannonResult): void {
  if (result.non2xx === 0 && result.errors === 0 && result.timeouts === 0 && result.requests.total > 0)
    return;
  const statuses = Object.entries(result.statusCodeStats)
    .map(([status, { count }]) => `${status}×${count}`)
    .join(', ');
  throw new FailedRequestsError(
    `${result.title ?? result.url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts ` +
      `of ${result.requests.total} requests [${statuses}]`,
  );
}
