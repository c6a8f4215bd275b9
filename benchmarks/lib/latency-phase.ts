import { measureSequential, medianOfRounds } from './measure-latency.js';
import type { LatencyByTarget, LatencyOptions, LatencyStats } from './measure-latency.js';
import type { ByScenario } from './results.js';
import type { Scenario, Target } from './scenarios.js';

/** Options for {@link runLatencyPhase}. */
export interface LatencyPhaseOptions extends LatencyOptions {
  readonly rounds: number;
  readonly scenarios: readonly Scenario[];
  /** Called before each leg, for progress output. */
  readonly onLeg: (description: string) => void;
}

/** Measures sequential per-request latency of every target for every scenario, `rounds` times; reports medians. */
export async function runLatencyPhase(
  targets: readonly Target[],
  options: LatencyPhaseOptions,
): Promise<ByScenario<LatencyStats>> {
  const result: ByScenario<LatencyStats> = {};
  for (const scenario of options.scenarios) {
    const rounds: LatencyByTarget[] = [];
    for (let round = 0; round < options.rounds; round++) {
      options.onLeg(`round ${round + 1}/${options.rounds} sequential latency ${scenario.name}`);
      rounds.push(await measureSequential(targets, scenario, options));
    }
    const byTarget: LatencyByTarget = {};
    for (const target of targets) {
      const stats = rounds.map((round) => round[target.name]).filter((stats) => stats !== undefined);
      byTarget[target.name] = medianOfRounds(stats);
    }
    result[scenario.name] = byTarget;
  }
  return result;
}
