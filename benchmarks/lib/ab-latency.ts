import type { BuildName } from './ab-targets.js';
import { measureSequential } from './measure-latency.js';
import type { LatencyByTarget, LatencyOptions, LatencyStats } from './measure-latency.js';
import type { Scenario, ScenarioName, Target } from './scenarios.js';
import { median, spread } from './stats.js';
import type { Spread } from './stats.js';

/** Options for {@link runPairedLatency}. */
export interface PairedLatencyOptions extends LatencyOptions {
  readonly rounds: number;
  readonly scenarios: readonly Scenario[];
  /** Called before each round, for progress output. */
  readonly onLeg: (description: string) => void;
}

/** How much slower one build answered than A, per round: second − first, µs. */
export interface PairLatency {
  readonly p50DeltaUs: Spread;
  readonly p99DeltaUs: Spread;
}

/** Sequential latency of one scenario. */
export interface ScenarioLatency {
  /** Each build's p50 and p99, medians over the rounds, µs. */
  readonly medians: Partial<Record<BuildName, { readonly p50Us: number; readonly p99Us: number }>>;
  /** A' − A. */
  readonly noise: PairLatency;
  /** B − A. */
  readonly candidate: PairLatency;
  readonly rounds: readonly LatencyByTarget<BuildName>[];
}

/** Sequential latency per scenario. */
export type AbLatency = Partial<Record<ScenarioName, ScenarioLatency>>;

/**
 * Sends sequential requests to A, A' and B interleaved request by request (as the main benchmark does for its
 * targets), `rounds` times per scenario, and takes A' − A and B − A of each percentile within a round. Nothing
 * else is loaded meanwhile: one request at a time leaves the machine's second core idle.
 */
export async function runPairedLatency(
  a: Target<BuildName>,
  aPrime: Target<BuildName>,
  b: Target<BuildName>,
  options: PairedLatencyOptions,
): Promise<AbLatency> {
  const result: AbLatency = {};
  for (const scenario of options.scenarios) {
    const rounds: LatencyByTarget<BuildName>[] = [];
    for (let round = 0; round < options.rounds; round++) {
      options.onLeg(`round ${round + 1}/${options.rounds} sequential latency ${scenario.name}`);
      rounds.push(await measureSequential([a, aPrime, b], scenario, options));
    }
    const deltas = (name: BuildName): PairLatency => {
      const delta = (pick: (stats: LatencyStats) => number): Spread =>
        spread(rounds.map((round) => pickOf(round, name, pick) - pickOf(round, 'A', pick)));
      return { p50DeltaUs: delta((stats) => stats.p50Us), p99DeltaUs: delta((stats) => stats.p99Us) };
    };
    const medians: ScenarioLatency['medians'] = {};
    for (const name of ['A', "A'", 'B'] as const) {
      medians[name] = {
        p50Us: median(rounds.map((round) => pickOf(round, name, (stats) => stats.p50Us))),
        p99Us: median(rounds.map((round) => pickOf(round, name, (stats) => stats.p99Us))),
      };
    }
    result[scenario.name] = { medians, noise: deltas("A'"), candidate: deltas('B'), rounds };
  }
  return result;
}

function pickOf(
  round: LatencyByTarget<BuildName>,
  name: BuildName,
  pick: (stats: LatencyStats) => number,
): number {
  const stats = round[name];
  return stats === undefined ? Number.NaN : pick(stats);
}
