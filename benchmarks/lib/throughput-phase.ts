import { measureThroughput } from './measure-throughput.js';
import type { ThroughputOptions, ThroughputStats } from './measure-throughput.js';
import type { ByScenario, ThroughputSummary } from './results.js';
import type { Scenario, Target } from './scenarios.js';
import { median } from './stats.js';

/** Options for {@link runThroughputPhase}. */
export interface ThroughputPhaseOptions extends ThroughputOptions {
  readonly rounds: number;
  readonly scenarios: readonly Scenario[];
  /** Called before each leg, for progress output. */
  readonly onLeg: (description: string) => void;
}

/**
 * Loads every target with every scenario, one leg at a time so that legs never compete for the CPU, reversing
 * the order of targets every other round so that drift of the machine favours none of them. Each target's
 * ratio to the minimal proxy is taken within a round (adjacent legs) and then the median over rounds: a burst
 * of foreign load on the shared machine then spoils one ratio instead of shifting a whole median.
 */
export async function runThroughputPhase(
  targets: readonly Target[],
  options: ThroughputPhaseOptions,
): Promise<ByScenario<ThroughputSummary>> {
  const samples = new Map<string, ThroughputStats[]>();
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const scenario of options.scenarios) {
      for (const target of order) {
        options.onLeg(`round ${round + 1}/${options.rounds} throughput ${scenario.name} → ${target.name}`);
        const stats = await measureThroughput(target, scenario, options);
        const key = `${scenario.name}/${target.name}`;
        samples.set(key, [...(samples.get(key) ?? []), stats]);
      }
    }
  }
  const result: ByScenario<ThroughputSummary> = {};
  for (const scenario of options.scenarios) {
    const byTarget: Partial<Record<Target['name'], ThroughputSummary>> = {};
    const minimalRounds = samples.get(`${scenario.name}/minimal`);
    for (const target of targets) {
      const rounds = samples.get(`${scenario.name}/${target.name}`) ?? [];
      const ratios =
        minimalRounds === undefined
          ? []
          : rounds.map(
              (stats, round) => stats.requestsPerSecond / (minimalRounds[round]?.requestsPerSecond ?? NaN),
            );
      byTarget[target.name] = {
        requestsPerSecond: median(rounds.map((stats) => stats.requestsPerSecond)),
        latencyP50Ms: median(rounds.map((stats) => stats.latencyP50Ms)),
        latencyP99Ms: median(rounds.map((stats) => stats.latencyP99Ms)),
        cpuUsPerRequest: median(rounds.map((stats) => stats.cpuUsPerRequest)),
        roundsRequestsPerSecond: rounds.map((stats) => stats.requestsPerSecond),
        ...(ratios.length > 0 && { ratioToMinimal: median(ratios) }),
        requests: rounds.reduce((sum, stats) => sum + stats.requests, 0),
      };
    }
    result[scenario.name] = byTarget;
  }
  return result;
}
