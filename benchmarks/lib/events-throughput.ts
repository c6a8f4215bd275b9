import { readEventCounters } from './events-sanity.js';
import type { EventCounters } from './events-sanity.js';
import type { EventsTargetName } from './events-targets.js';
import { runLoad } from './measure-throughput.js';
import type { ThroughputOptions, ThroughputStats } from './measure-throughput.js';
import type { Scenario, ScenarioName, Target } from './scenarios.js';
import { median } from './stats.js';

/** One target's throughput in one scenario: medians over the rounds. */
export interface EventsThroughputRow {
  readonly target: EventsTargetName;
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly cpuUsPerRequest: number;
  /** Median over rounds of req/s divided by events off's in the same round (absent for events off). */
  readonly ratioToOff?: number;
  /** The same for CPU µs per request. */
  readonly cpuRatioToOff?: number;
  readonly roundsRequestsPerSecond: readonly number[];
  readonly roundsCpuUsPerRequest: readonly number[];
  /** Measured requests over all rounds. */
  readonly requests: number;
  /** Requests of the warm-ups and the measured runs together: what the process served under load. */
  readonly servedRequests: number;
  /** The load generator's (this process's) CPU use during the measured runs, % of one core. */
  readonly loaderCpuPercent: number;
  /** The Redis server's CPU µs per request during the measured runs (the Redis Streams leg). */
  readonly redisCpuUsPerRequest?: number;
  /** What the proxy's event series said over the measured runs (published, dropped), summed. */
  readonly events: EventCounters;
}

/** The throughput of one scenario. */
export interface EventsThroughputGroup {
  readonly scenario: ScenarioName;
  readonly rows: readonly EventsThroughputRow[];
}

/** Options of {@link runEventsThroughput}. */
export interface EventsThroughputOptions extends ThroughputOptions {
  readonly rounds: number;
  readonly scenarios: readonly Scenario[];
  /** CPU seconds used so far by a helper of a target (Redis for the Redis Streams leg), read around its legs. */
  readonly helperCpuSeconds?: Partial<Record<EventsTargetName, () => Promise<number>>>;
  readonly onLeg: (description: string) => void;
}

/** One measured run of one target. */
interface MeasuredLeg {
  readonly stats: ThroughputStats;
  readonly warmupRequests: number;
  readonly events: EventCounters;
  readonly loaderCpuPercent: number;
  readonly helperCpuUsPerRequest: number | undefined;
}

/**
 * Loads every target with every scenario, one leg at a time so that legs never compete for the CPU, reversing
 * the order of targets every other round so that drift of the machine favours none of them. Ratios are taken
 * against events off (the first target) within a round, then the median over rounds.
 */
export async function runEventsThroughput(
  targets: readonly Target<EventsTargetName>[],
  options: EventsThroughputOptions,
): Promise<EventsThroughputGroup[]> {
  const legs = new Map<string, MeasuredLeg[]>();
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const scenario of options.scenarios) {
      for (const target of order) {
        options.onLeg(`round ${round + 1}/${options.rounds} throughput ${scenario.name} → ${target.name}`);
        const leg = await measureLeg(target, scenario, options);
        const key = `${scenario.name}/${target.name}`;
        legs.set(key, [...(legs.get(key) ?? []), leg]);
      }
    }
  }
  const baseline = targets[0];
  if (baseline === undefined) throw new Error('no targets to load');
  return options.scenarios.map((scenario) => {
    const baselineLegs = legs.get(`${scenario.name}/${baseline.name}`) ?? [];
    const rows = targets.map((target): EventsThroughputRow => {
      const rounds = legs.get(`${scenario.name}/${target.name}`) ?? [];
      const ratios = (pick: (stats: ThroughputStats) => number): number =>
        median(rounds.map((leg, round) => pick(leg.stats) / pick(baselineLegs[round]?.stats ?? leg.stats)));
      const redisCpu = rounds.flatMap((leg) => leg.helperCpuUsPerRequest ?? []);
      return {
        target: target.name,
        requestsPerSecond: median(rounds.map((leg) => leg.stats.requestsPerSecond)),
        latencyP50Ms: median(rounds.map((leg) => leg.stats.latencyP50Ms)),
        latencyP99Ms: median(rounds.map((leg) => leg.stats.latencyP99Ms)),
        cpuUsPerRequest: median(rounds.map((leg) => leg.stats.cpuUsPerRequest)),
        ...(target !== baseline && {
          ratioToOff: ratios((stats) => stats.requestsPerSecond),
          cpuRatioToOff: ratios((stats) => stats.cpuUsPerRequest),
        }),
        roundsRequestsPerSecond: rounds.map((leg) => leg.stats.requestsPerSecond),
        roundsCpuUsPerRequest: rounds.map((leg) => leg.stats.cpuUsPerRequest),
        requests: rounds.reduce((sum, leg) => sum + leg.stats.requests, 0),
        servedRequests: rounds.reduce((sum, leg) => sum + leg.stats.requests + leg.warmupRequests, 0),
        loaderCpuPercent: median(rounds.map((leg) => leg.loaderCpuPercent)),
        ...(redisCpu.length > 0 && { redisCpuUsPerRequest: median(redisCpu) }),
        events: sumCounters(rounds.map((leg) => leg.events)),
      };
    });
    return { scenario: scenario.name, rows };
  });
}

async function measureLeg(
  target: Target<EventsTargetName>,
  scenario: Scenario,
  options: EventsThroughputOptions,
): Promise<MeasuredLeg> {
  const label = `${target.name} ${scenario.name}`;
  const load = (seconds: number, title: string): Promise<ThroughputStats> =>
    runLoad(target, scenario, { connections: options.connections, seconds, title });
  const warmup =
    options.warmupSeconds > 0 ? await load(options.warmupSeconds, `${label} warm-up`) : undefined;
  const before = await readEventCounters(target.origin);
  const helperCpu = options.helperCpuSeconds?.[target.name];
  const helperBefore = await helperCpu?.();
  const loaderBefore = process.cpuUsage();
  const startedAt = process.hrtime.bigint();
  const stats = await load(options.durationSeconds, label);
  const loaderCpu = process.cpuUsage(loaderBefore);
  const elapsedUs = Number(process.hrtime.bigint() - startedAt) / 1000;
  const helperAfter = await helperCpu?.();
  const after = await readEventCounters(target.origin);
  return {
    stats,
    warmupRequests: warmup?.requests ?? 0,
    events: {
      published: after.published - before.published,
      dropped: after.dropped - before.dropped,
      spooled: after.spooled,
    },
    loaderCpuPercent: ((loaderCpu.user + loaderCpu.system) / elapsedUs) * 100,
    helperCpuUsPerRequest:
      helperBefore === undefined || helperAfter === undefined
        ? undefined
        : ((helperAfter - helperBefore) * 1e6) / stats.requests,
  };
}

function sumCounters(readings: readonly EventCounters[]): EventCounters {
  return {
    published: readings.reduce((sum, reading) => sum + reading.published, 0),
    dropped: readings.reduce((sum, reading) => sum + reading.dropped, 0),
    spooled: readings.at(-1)?.spooled ?? 0,
  };
}
