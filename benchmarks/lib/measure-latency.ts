import { Client } from 'undici';

import { requestHeaders } from './scenarios.js';
import type { Scenario, Target, TargetName } from './scenarios.js';
import { median, percentiles } from './stats.js';
import { timedRequest } from './timed-request.js';
import type { TimedRequest } from './timed-request.js';

const REQUEST_TIMEOUT_MS = 10_000;

/** How many sequential requests to send to each target. */
export interface LatencyOptions {
  /** Measured requests per target. */
  readonly requests: number;
  /** Unmeasured requests per target first (connections, JIT, caches). */
  readonly warmup: number;
  /** A response header (lower case) whose values are counted per target over the measured requests. */
  readonly recordHeader?: string;
}

/** Per-request times of one target, in µs. */
export interface LatencyStats {
  readonly requests: number;
  readonly p50Us: number;
  readonly p90Us: number;
  readonly p99Us: number;
  /** Time to the first body chunk. */
  readonly firstByteP50Us: number;
  readonly firstByteP99Us: number;
  /** How many measured answers carried each value of `recordHeader` (`(none)`: the header was absent). */
  readonly recordedHeader?: Readonly<Record<string, number>>;
}

/** Latency per target of one scenario. */
export type LatencyByTarget<Name extends string = TargetName> = Partial<Record<Name, LatencyStats>>;

/**
 * Sends requests one at a time over one keep-alive connection per target, interleaving the targets request by
 * request (rotating who goes first) so that machine noise hits every target alike. Any non-200 answer aborts
 * the measurement: numbers from failing requests would mean nothing.
 */
export async function measureSequential<Name extends string>(
  targets: readonly Target<Name>[],
  scenario: Scenario<string>,
  options: LatencyOptions,
): Promise<LatencyByTarget<Name>> {
  const clients = targets.map(
    (target) =>
      new Client(target.origin, {
        pipelining: 1,
        keepAliveTimeout: 60_000,
        headersTimeout: REQUEST_TIMEOUT_MS,
        bodyTimeout: REQUEST_TIMEOUT_MS,
      }),
  );
  const requests: TimedRequest[] = targets.map((target) => ({
    method: scenario.method,
    path: scenario.path,
    headers: requestHeaders(target, scenario),
    body: scenario.body,
    ...(options.recordHeader !== undefined && { recordHeader: options.recordHeader }),
  }));
  const { nextBody } = scenario;
  const totals = targets.map(() => new Array<number>(options.requests));
  const firstBytes = targets.map(() => new Array<number>(options.requests));
  const recorded = targets.map(() => new Map<string, number>());
  try {
    for (let round = 0; round < options.warmup + options.requests; round++) {
      for (let step = 0; step < targets.length; step++) {
        const index = (round + step) % targets.length;
        const request = at(requests, index);
        const timing = await timedRequest(
          at(clients, index),
          nextBody === undefined ? request : { ...request, body: nextBody() },
        );
        if (timing.status !== 200) {
          throw new Error(
            `${at(targets, index).name} answered HTTP ${timing.status} to a ${scenario.name} request`,
          );
        }
        const sample = round - options.warmup;
        if (sample >= 0) {
          at(totals, index)[sample] = timing.totalNs / 1000;
          at(firstBytes, index)[sample] = timing.firstByteNs / 1000;
          if (options.recordHeader !== undefined) {
            const counts = at(recorded, index);
            const value = timing.recordedHeader ?? '(none)';
            counts.set(value, (counts.get(value) ?? 0) + 1);
          }
        }
      }
    }
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
  const result: LatencyByTarget<Name> = {};
  targets.forEach((target, index) => {
    const total = percentiles(at(totals, index));
    const firstByte = percentiles(at(firstBytes, index));
    result[target.name] = {
      requests: options.requests,
      p50Us: total.p50,
      p90Us: total.p90,
      p99Us: total.p99,
      firstByteP50Us: firstByte.p50,
      firstByteP99Us: firstByte.p99,
      ...(options.recordHeader !== undefined && {
        recordedHeader: Object.fromEntries(at(recorded, index)),
      }),
    };
  });
  return result;
}

function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new RangeError(`no item ${index}`);
  return item;
}

/** One target's latency over several rounds: the requests summed, each percentile the median of the rounds'. */
export function medianOfRounds(rounds: readonly LatencyStats[]): LatencyStats {
  const mid = (pick: (entry: LatencyStats) => number): number => median(rounds.map(pick));
  return {
    requests: rounds.reduce((sum, entry) => sum + entry.requests, 0),
    p50Us: mid((entry) => entry.p50Us),
    p90Us: mid((entry) => entry.p90Us),
    p99Us: mid((entry) => entry.p99Us),
    firstByteP50Us: mid((entry) => entry.firstByteP50Us),
    firstByteP99Us: mid((entry) => entry.firstByteP99Us),
  };
}
