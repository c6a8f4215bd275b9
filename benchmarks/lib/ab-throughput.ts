import type { BuildName } from './ab-targets.js';
import { runLoad } from './measure-throughput.js';
import type { ThroughputOptions, ThroughputStats } from './measure-throughput.js';
import type { Scenario, ScenarioName, Target } from './scenarios.js';
import { median, spread } from './stats.js';
import type { Spread } from './stats.js';

/** Options for {@link runPairedThroughput}. */
export interface PairedThroughputOptions extends ThroughputOptions {
  readonly rounds: number;
  readonly scenarios: readonly Scenario[];
  /** Called before each leg, for progress output. */
  readonly onLeg: (description: string) => void;
}

/** Two processes loaded at the same time; `second` is compared with `first` (always A). */
export interface Pair {
  readonly first: Target<BuildName>;
  readonly second: Target<BuildName>;
}

/** One measured leg of a pair. */
export interface PairedLeg {
  readonly first: ThroughputStats;
  readonly second: ThroughputStats;
}

/** A pair's throughput in one scenario over all rounds; ratios are second / first within a leg. */
export interface PairThroughput {
  /** Medians over the rounds. */
  readonly first: { readonly requestsPerSecond: number; readonly cpuUsPerRequest: number };
  readonly second: { readonly requestsPerSecond: number; readonly cpuUsPerRequest: number };
  readonly requestsPerSecondRatio: Spread;
  readonly cpuUsPerRequestRatio: Spread;
  readonly legs: readonly PairedLeg[];
}

/** Per scenario: A' against A (the noise) and B against A (the comparison). */
export type AbThroughput = Partial<
  Record<ScenarioName, { readonly noise: PairThroughput; readonly candidate: PairThroughput }>
>;

/**
 * Measures both pairs for every scenario, `rounds` times, one pair at a time: the two processes of a pair are
 * warmed up and then measured at the same moment by two autocannon instances, so that whatever else the
 * machine does hits both alike and cancels in their ratio. Which pair goes first alternates by round.
 */
export async function runPairedThroughput(
  noise: Pair,
  candidate: Pair,
  options: PairedThroughputOptions,
): Promise<AbThroughput> {
  const legs = new Map<string, PairedLeg[]>();
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? [noise, candidate] : [candidate, noise];
    for (const scenario of options.scenarios) {
      for (const pair of order) {
        options.onLeg(
          `round ${round + 1}/${options.rounds} throughput ${scenario.name} → ${pair.first.name} + ${pair.second.name}`,
        );
        const key = `${scenario.name}/${pair.second.name}`;
        legs.set(key, [...(legs.get(key) ?? []), await measurePair(pair, scenario, options)]);
      }
    }
  }
  const result: AbThroughput = {};
  for (const scenario of options.scenarios) {
    result[scenario.name] = {
      noise: summarize(legs.get(`${scenario.name}/${noise.second.name}`) ?? []),
      candidate: summarize(legs.get(`${scenario.name}/${candidate.second.name}`) ?? []),
    };
  }
  return result;
}

/** Warms both processes up together, then measures both together. */
async function measurePair(pair: Pair, scenario: Scenario, options: ThroughputOptions): Promise<PairedLeg> {
  const both = async (seconds: number, suffix: string): Promise<PairedLeg> => {
    const load = (target: Target<BuildName>): Promise<ThroughputStats> =>
      runLoad(target, scenario, {
        connections: options.connections,
        seconds,
        title: `${target.name} ${scenario.name}${suffix}`,
      });
    // Both runs end before a failure is reported, so that no load is left running behind it.
    const [first, second] = await Promise.allSettled([load(pair.first), load(pair.second)]);
    if (first.status === 'rejected') throw first.reason;
    if (second.status === 'rejected') throw second.reason;
    return { first: first.value, second: second.value };
  };
  if (options.warmupSeconds > 0) await both(options.warmupSeconds, ' warm-up');
  return both(options.durationSeconds, '');
}

function summarize(legs: readonly PairedLeg[]): PairThroughput {
  const medians = (side: 'first' | 'second') => ({
    requestsPerSecond: median(legs.map((leg) => leg[side].requestsPerSecond)),
    cpuUsPerRequest: median(legs.map((leg) => leg[side].cpuUsPerRequest)),
  });
  return {
    first: medians('first'),
    second: medians('second'),
    requestsPerSecondRatio: spread(
      legs.map((leg) => leg.second.requestsPerSecond / leg.first.requestsPerSecond),
    ),
    cpuUsPerRequestRatio: spread(legs.map((leg) => leg.second.cpuUsPerRequest / leg.first.cpuUsPerRequest)),
    legs,
  };
}
