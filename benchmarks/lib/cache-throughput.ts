import { counterChanges, readCacheCounters } from './cache-metrics.js';
import type { CacheCounters } from './cache-metrics.js';
import type { CacheScenarioName } from './cache-scenarios.js';
import type { CacheTargetName } from './cache-targets.js';
import { runLoad } from './measure-throughput.js';
import type { ThroughputOptions, ThroughputStats } from './measure-throughput.js';
import type { Scenario, Target } from './scenarios.js';
import { median } from './stats.js';

/** The Prometheus counters a leg is checked against (the original program's names). */
const HITS = 'llm_proxy_cache_hits_total';
const MISSES = 'llm_proxy_cache_misses_total';
const STORES = 'llm_proxy_cache_stores_total';
const EVICTIONS = 'llm_proxy_cache_evictions_total';
/** Seconds of each load burst while a store is being filled. */
const FILL_STEP_SECONDS = 2;
/** Share of a hit leg's requests that may miss (an entry expiring during a long run is stored again). */
const HIT_LEG_MISS_TOLERANCE = 0.01;
/** Share of a capture leg's answers that must have been stored for the leg to measure capture. */
const CAPTURE_LEG_MIN_STORED = 0.9;

/**
 * What a leg's answers must be: all hits; misses that were stored; misses looked up but not stored (the
 * upstream said `no-store`); or never from a cache.
 */
export type LegExpectation = 'hit' | 'miss' | 'uncaptured' | 'uncached';

/** Targets loaded with one scenario, compared with the first of them (the baseline) round by round. */
export interface CacheLegGroup {
  readonly scenario: Scenario<CacheScenarioName>;
  /** The first one is the baseline: the minimal proxy for hits, the cache switched off for misses. */
  readonly targets: readonly Target<CacheTargetName>[];
  /** What each target's answers must be for the leg to count: every request a hit, or a miss. */
  readonly expect: Partial<Record<CacheTargetName, LegExpectation>>;
}

/** One target's throughput in one group: medians over the rounds. */
export interface CacheThroughputRow {
  readonly target: CacheTargetName;
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly cpuUsPerRequest: number;
  /** Median over rounds of req/s divided by the baseline's in the same round (absent for the baseline). */
  readonly ratioToBaseline?: number;
  /** The same for CPU µs per request. */
  readonly cpuRatioToBaseline?: number;
  readonly roundsRequestsPerSecond: readonly number[];
  readonly requests: number;
  /** The load generator's (this process's) CPU use during the measured runs, % of one core: near 100 it is the ceiling. */
  readonly loaderCpuPercent: number;
  /** CPU µs per request of a helper the target relies on (the Redis server of the Redis leg). */
  readonly helperCpuUsPerRequest?: number;
  /** What the cache's series said over the measured runs: counters summed, gauges as after the last run. */
  readonly cache: CacheCounters;
}

/** The throughput of one group of legs. */
export interface CacheThroughputGroup {
  readonly scenario: CacheScenarioName;
  readonly baseline: CacheTargetName;
  readonly rows: readonly CacheThroughputRow[];
}

/** Options of {@link runCacheThroughput}. */
export interface CacheThroughputOptions extends ThroughputOptions {
  readonly rounds: number;
  /** Whose cache series to read around each leg (the llm-proxy processes). */
  readonly readsMetrics: (target: CacheTargetName) => boolean;
  /** CPU seconds used so far by a helper process of a target (Redis for the Redis leg), read around its legs. */
  readonly helperCpuSeconds?: Partial<Record<CacheTargetName, () => Promise<number>>>;
  readonly onLeg: (description: string) => void;
}

/**
 * Loads every target of every group, one leg at a time so that legs never compete for the CPU, reversing the
 * order within a group every other round. Around each measured run the target's cache series are read, and a
 * leg whose counters contradict what it was meant to measure (a hit leg that missed, a capture leg that
 * stored nothing or hit) fails the run: its numbers would describe something else.
 */
export async function runCacheThroughput(
  groups: readonly CacheLegGroup[],
  options: CacheThroughputOptions,
): Promise<CacheThroughputGroup[]> {
  const legs = new Map<string, MeasuredLeg[]>();
  for (let round = 0; round < options.rounds; round++) {
    for (const group of groups) {
      const order = round % 2 === 0 ? group.targets : [...group.targets].reverse();
      for (const target of order) {
        options.onLeg(
          `round ${round + 1}/${options.rounds} throughput ${group.scenario.name} → ${target.name}`,
        );
        const leg = await measureLeg(target, group, options);
        const key = `${group.scenario.name}/${target.name}`;
        legs.set(key, [...(legs.get(key) ?? []), leg]);
      }
    }
  }
  return groups.map((group) => {
    const baseline = group.targets[0];
    if (baseline === undefined) throw new Error(`no targets for the ${group.scenario.name} legs`);
    const baselineLegs = legs.get(`${group.scenario.name}/${baseline.name}`) ?? [];
    const rows = group.targets.map((target): CacheThroughputRow => {
      const rounds = legs.get(`${group.scenario.name}/${target.name}`) ?? [];
      const ratios = (pick: (stats: ThroughputStats) => number): number =>
        median(rounds.map((leg, round) => pick(leg.stats) / pick(baselineLegs[round]?.stats ?? leg.stats)));
      return {
        target: target.name,
        requestsPerSecond: median(rounds.map((leg) => leg.stats.requestsPerSecond)),
        latencyP50Ms: median(rounds.map((leg) => leg.stats.latencyP50Ms)),
        latencyP99Ms: median(rounds.map((leg) => leg.stats.latencyP99Ms)),
        cpuUsPerRequest: median(rounds.map((leg) => leg.stats.cpuUsPerRequest)),
        ...(target !== baseline && {
          ratioToBaseline: ratios((stats) => stats.requestsPerSecond),
          cpuRatioToBaseline: ratios((stats) => stats.cpuUsPerRequest),
        }),
        roundsRequestsPerSecond: rounds.map((leg) => leg.stats.requestsPerSecond),
        requests: rounds.reduce((sum, leg) => sum + leg.stats.requests, 0),
        loaderCpuPercent: median(rounds.map((leg) => leg.loaderCpuPercent)),
        ...(rounds.some((leg) => leg.helperCpuUsPerRequest !== undefined) && {
          helperCpuUsPerRequest: median(rounds.map((leg) => leg.helperCpuUsPerRequest ?? Number.NaN)),
        }),
        cache: sumCounters(rounds.map((leg) => leg.cache)),
      };
    });
    return { scenario: group.scenario.name, baseline: baseline.name, rows };
  });
}

/** One measured run of one target. */
interface MeasuredLeg {
  readonly stats: ThroughputStats;
  readonly cache: CacheCounters;
  readonly loaderCpuPercent: number;
  readonly helperCpuUsPerRequest: number | undefined;
}

async function measureLeg(
  target: Target<CacheTargetName>,
  group: CacheLegGroup,
  options: CacheThroughputOptions,
): Promise<MeasuredLeg> {
  const label = `${target.name} ${group.scenario.name}`;
  const load = (seconds: number, title: string): Promise<ThroughputStats> =>
    runLoad(target, group.scenario, { connections: options.connections, seconds, title });
  if (options.warmupSeconds > 0) await load(options.warmupSeconds, `${label} warm-up`);
  const readsMetrics = options.readsMetrics(target.name);
  const before = readsMetrics ? await readCacheCounters(target.origin) : {};
  const helperCpu = options.helperCpuSeconds?.[target.name];
  const helperBefore = await helperCpu?.();
  const loaderBefore = process.cpuUsage();
  const startedAt = process.hrtime.bigint();
  const stats = await load(options.durationSeconds, label);
  const loaderCpu = process.cpuUsage(loaderBefore);
  const elapsedUs = Number(process.hrtime.bigint() - startedAt) / 1000;
  const helperAfter = await helperCpu?.();
  const cache = readsMetrics ? counterChanges(before, await readCacheCounters(target.origin)) : {};
  assertLegMeasuredWhatItShould(label, group.expect[target.name], stats.requests, cache);
  return {
    stats,
    cache,
    loaderCpuPercent: ((loaderCpu.user + loaderCpu.system) / elapsedUs) * 100,
    helperCpuUsPerRequest:
      helperBefore === undefined || helperAfter === undefined
        ? undefined
        : ((helperAfter - helperBefore) * 1e6) / stats.requests,
  };
}

/** What {@link fillStore} did. */
export interface StoreFill {
  readonly seconds: number;
  readonly requests: number;
  /** Whether the store evicted before the time ran out (false also when the build exports no evictions). */
  readonly full: boolean;
  /** The store's series when the filling stopped. */
  readonly cache: CacheCounters;
}

/**
 * Loads a target with a miss scenario, in short bursts, until its store has evicted an entry (it is full) or
 * `maxSeconds` have passed: so that every store of the measured legs also evicts, whatever the machine's speed,
 * instead of the first legs filling an empty store and the later ones evicting.
 */
export async function fillStore(
  target: Target<CacheTargetName>,
  scenario: Scenario<CacheScenarioName>,
  options: { readonly connections: number; readonly maxSeconds: number },
): Promise<StoreFill> {
  let seconds = 0;
  let requests = 0;
  let cache = await readCacheCounters(target.origin);
  while (seconds < options.maxSeconds && (cache[EVICTIONS] ?? 0) === 0) {
    const burst = Math.min(FILL_STEP_SECONDS, options.maxSeconds - seconds);
    const stats = await runLoad(target, scenario, {
      connections: options.connections,
      seconds: burst,
      title: `${target.name} filling the store`,
    });
    seconds += burst;
    requests += stats.requests;
    cache = await readCacheCounters(target.origin);
  }
  return { seconds, requests, full: (cache[EVICTIONS] ?? 0) > 0, cache };
}

function assertLegMeasuredWhatItShould(
  label: string,
  expected: LegExpectation | undefined,
  requests: number,
  cache: CacheCounters,
): void {
  const hits = cache[HITS];
  const misses = cache[MISSES];
  const stores = cache[STORES];
  const counts = `(${requests} requests; ${HITS} +${hits ?? '?'}, ${MISSES} +${misses ?? '?'}, ${STORES} +${stores ?? '?'})`;
  const tooFewHits = hits !== undefined && hits < requests * (1 - HIT_LEG_MISS_TOLERANCE);
  const tooManyMisses = misses !== undefined && misses > requests * HIT_LEG_MISS_TOLERANCE;
  if (expected === 'hit' && (tooFewHits || tooManyMisses)) {
    throw new Error(`${label}: the hit leg was not served from the cache ${counts}`);
  }
  if (expected === 'miss' && hits !== undefined && hits > 0) {
    throw new Error(`${label}: the miss leg hit the cache, its bodies are not unique ${counts}`);
  }
  if (expected === 'miss' && stores !== undefined && stores < requests * CAPTURE_LEG_MIN_STORED) {
    throw new Error(
      `${label}: capture on stored fewer than ${CAPTURE_LEG_MIN_STORED * 100}% of the answers ${counts}`,
    );
  }
  if (expected === 'uncaptured' && ((hits ?? 0) > 0 || (stores ?? 0) > 0 || misses === 0)) {
    throw new Error(`${label}: the no-store leg hit or stored, or was not looked up ${counts}`);
  }
  if (expected === 'uncached' && hits !== undefined && hits > 0) {
    throw new Error(`${label}: the cache is off but answers came from it ${counts}`);
  }
}

function sumCounters(readings: readonly CacheCounters[]): CacheCounters {
  const sum: Record<string, number> = {};
  for (const reading of readings) {
    for (const [name, value] of Object.entries(reading)) {
      sum[name] = name.endsWith('_total') ? (sum[name] ?? 0) + value : value;
    }
  }
  return sum;
}
