import type { EventsTargetName } from './events-targets.js';
import { measureSequential, medianOfRounds } from './measure-latency.js';
import type { LatencyOptions, LatencyStats } from './measure-latency.js';
import type { Scenario, ScenarioName, Target } from './scenarios.js';
import { median } from './stats.js';

/** One target's sequential latency in one scenario, with its change against events off. */
export interface EventsLatencyRow extends LatencyStats {
  readonly target: EventsTargetName;
  /** Median over rounds of p50 divided by events off's p50 in the same round (absent for events off). */
  readonly p50RatioToOff?: number;
  /** Median over rounds of p50 − events off's p50, µs. */
  readonly deltaP50Us?: number;
  /** The same for p99, µs. */
  readonly deltaP99Us?: number;
}

/** Sequential latency of one scenario. */
export interface EventsLatencyGroup {
  readonly scenario: ScenarioName;
  readonly rows: readonly EventsLatencyRow[];
}

/** Options of {@link runEventsLatency}. */
export interface EventsLatencyOptions extends LatencyOptions {
  readonly rounds: number;
  readonly scenarios: readonly Scenario[];
  readonly onLeg: (description: string) => void;
}

/**
 * Measures every target with sequential requests, the targets interleaved request by request so that machine
 * noise hits them alike, `rounds` times per scenario; differences to events off (the first target) are taken
 * within a round, then the median over rounds.
 */
export async function runEventsLatency(
  targets: readonly Target<EventsTargetName>[],
  options: EventsLatencyOptions,
): Promise<EventsLatencyGroup[]> {
  const baseline = targets[0];
  if (baseline === undefined) throw new Error('no targets to time');
  const groups: EventsLatencyGroup[] = [];
  for (const scenario of options.scenarios) {
    const rounds: Partial<Record<EventsTargetName, LatencyStats>>[] = [];
    for (let round = 0; round < options.rounds; round++) {
      options.onLeg(`round ${round + 1}/${options.rounds} sequential latency ${scenario.name}`);
      rounds.push(await measureSequential(targets, scenario, options));
    }
    const rows = targets.map((target): EventsLatencyRow => {
      const pairs = rounds.flatMap((round) => {
        const own = round[target.name];
        const off = round[baseline.name];
        return own === undefined || off === undefined ? [] : [{ own, off }];
      });
      return {
        target: target.name,
        ...medianOfRounds(pairs.map((pair) => pair.own)),
        ...(target !== baseline && {
          p50RatioToOff: median(pairs.map(({ own, off }) => own.p50Us / off.p50Us)),
          deltaP50Us: median(pairs.map(({ own, off }) => own.p50Us - off.p50Us)),
          deltaP99Us: median(pairs.map(({ own, off }) => own.p99Us - off.p99Us)),
        }),
      };
    });
    groups.push({ scenario: scenario.name, rows });
  }
  return groups;
}
