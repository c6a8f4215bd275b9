import { CACHE_HEADER, HIT_VALUE, MISS_VALUES, UNCAPTURED_VALUE } from './cache-scenarios.js';
import type { CacheScenarioName } from './cache-scenarios.js';
import type { CacheTargetName } from './cache-targets.js';
import type { CacheLegGroup } from './cache-throughput.js';
import { measureSequential, medianOfRounds } from './measure-latency.js';
import type { LatencyByTarget, LatencyOptions, LatencyStats } from './measure-latency.js';

/** Sequential latency of one group's targets: medians over the rounds of each percentile. */
export interface CacheLatencyGroup {
  readonly scenario: CacheScenarioName;
  readonly byTarget: LatencyByTarget<CacheTargetName>;
}

/** Options of {@link runCacheLatency}. */
export interface CacheLatencyOptions extends LatencyOptions {
  readonly rounds: number;
  readonly onLeg: (description: string) => void;
}

/**
 * Measures every group's targets with sequential requests, interleaved request by request, `rounds` times,
 * counting the `X-PROXY-CACHE` value of every measured answer: a hit target must have answered `hit` every
 * time and a capture target `miss` or `stored`, otherwise the run fails (the times would be of something else).
 */
export async function runCacheLatency(
  groups: readonly (CacheLegGroup & { readonly extra?: CacheLegGroup['targets'] })[],
  options: CacheLatencyOptions,
): Promise<CacheLatencyGroup[]> {
  const result: CacheLatencyGroup[] = [];
  for (const group of groups) {
    const targets = [...(group.extra ?? []), ...group.targets];
    const rounds: LatencyByTarget<CacheTargetName>[] = [];
    for (let round = 0; round < options.rounds; round++) {
      options.onLeg(`round ${round + 1}/${options.rounds} sequential latency ${group.scenario.name}`);
      const measured = await measureSequential(targets, group.scenario, {
        requests: options.requests,
        warmup: options.warmup,
        recordHeader: CACHE_HEADER,
      });
      for (const target of targets) assertAnswers(group, target.name, measured[target.name]);
      rounds.push(measured);
    }
    const byTarget: LatencyByTarget<CacheTargetName> = {};
    for (const target of targets) {
      const stats = rounds.map((round) => round[target.name]).filter((entry) => entry !== undefined);
      byTarget[target.name] = {
        ...medianOfRounds(stats),
        recordedHeader: mergeCounts(stats.map((entry) => entry.recordedHeader ?? {})),
      };
    }
    result.push({ scenario: group.scenario.name, byTarget });
  }
  return result;
}

function assertAnswers(group: CacheLegGroup, name: CacheTargetName, stats: LatencyStats | undefined): void {
  const expected = group.expect[name];
  if (expected === undefined || stats === undefined) return;
  const counts = stats.recordedHeader ?? {};
  const allowed =
    expected === 'hit'
      ? [HIT_VALUE]
      : expected === 'miss'
        ? MISS_VALUES
        : expected === 'uncaptured'
          ? [UNCAPTURED_VALUE]
          : undefined;
  const wrong = Object.entries(counts).filter(([value]) =>
    allowed === undefined ? value === HIT_VALUE : !allowed.includes(value),
  );
  if (wrong.length === 0) return;
  const seen = Object.entries(counts)
    .map(([value, count]) => `${value}×${count}`)
    .join(', ');
  throw new Error(
    `${name} ${group.scenario.name}: sequential answers were not all ${allowed?.join('/') ?? `other than ${HIT_VALUE}`} ` +
      `(${CACHE_HEADER.toUpperCase()}: ${seen})`,
  );
}

function mergeCounts(counts: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const entry of counts) {
    for (const [value, count] of Object.entries(entry)) merged[value] = (merged[value] ?? 0) + count;
  }
  return merged;
}
