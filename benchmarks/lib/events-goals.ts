import type { EventsLatencyGroup, EventsLatencyRow } from './events-latency.js';
import type { EventsTargetName } from './events-targets.js';
import type { EventsThroughputGroup, EventsThroughputRow } from './events-throughput.js';
import type { Verdict } from './results.js';
import type { ScenarioName } from './scenarios.js';

/** The events targets of the issue: the most each bus may cost against events off, within one run. */
export const EVENTS_GOALS: Readonly<Record<Exclude<EventsTargetName, 'events-off'>, number>> = {
  /** Throughput lost and sequential p50 added, as a share of events off's. */
  'events-memory': 0.05,
  'events-redis': 0.1,
};

const BUS_LABEL: Readonly<Record<keyof typeof EVENTS_GOALS, string>> = {
  'events-memory': 'memory bus',
  'events-redis': 'Redis Streams',
};

/**
 * Compares the measurements with {@link EVENTS_GOALS}: per scenario and bus, the req/s lost against events off
 * (median of the rounds' ratios) and the sequential p50 added (the same); anything not measured is SKIP.
 */
export function evaluateEventsGoals(
  scenarios: readonly ScenarioName[],
  throughput: readonly EventsThroughputGroup[],
  latency: readonly EventsLatencyGroup[],
): Verdict[] {
  const verdicts: Verdict[] = [];
  for (const target of Object.keys(EVENTS_GOALS) as (keyof typeof EVENTS_GOALS)[]) {
    const limit = EVENTS_GOALS[target];
    for (const scenario of scenarios) {
      const rows = throughput.find((group) => group.scenario === scenario)?.rows;
      verdicts.push(
        throughputVerdict(
          `${scenario} throughput, ${BUS_LABEL[target]} vs off`,
          limit,
          rows?.find((row) => row.target === target),
          rows?.find((row) => row.target === 'events-off'),
        ),
      );
    }
    for (const scenario of scenarios) {
      const rows = latency.find((group) => group.scenario === scenario)?.rows;
      verdicts.push(
        latencyVerdict(
          `${scenario} sequential p50, ${BUS_LABEL[target]} vs off`,
          limit,
          rows?.find((row) => row.target === target),
          rows?.find((row) => row.target === 'events-off'),
        ),
      );
    }
  }
  return verdicts;
}

function throughputVerdict(
  name: string,
  limit: number,
  row: EventsThroughputRow | undefined,
  off: EventsThroughputRow | undefined,
): Verdict {
  const goal = `cost ≤ ${percent(limit)}`;
  const ratio = row?.ratioToOff;
  if (row === undefined || off === undefined || ratio === undefined) {
    return { name, goal, measured: 'not measured', status: 'SKIP' };
  }
  const cost = 1 - ratio;
  const cpu = row.cpuRatioToOff;
  const cpuNote = cpu === undefined || Number.isNaN(cpu) ? '' : `; CPU per request ${signed(cpu - 1)}`;
  return {
    name,
    goal,
    measured: `${signed(cost)} (${Math.round(row.requestsPerSecond)} / ${Math.round(off.requestsPerSecond)} req/s${cpuNote})`,
    status: cost <= limit ? 'PASS' : 'FAIL',
  };
}

function latencyVerdict(
  name: string,
  limit: number,
  row: EventsLatencyRow | undefined,
  off: EventsLatencyRow | undefined,
): Verdict {
  const goal = `added ≤ ${percent(limit)}`;
  const ratio = row?.p50RatioToOff;
  if (row === undefined || off === undefined || ratio === undefined) {
    return { name, goal, measured: 'not measured', status: 'SKIP' };
  }
  const added = ratio - 1;
  return {
    name,
    goal,
    measured: `${signed(added)} (${Math.round(row.p50Us)} / ${Math.round(off.p50Us)} µs; Δ ${signedUs(row.deltaP50Us)})`,
    status: added <= limit ? 'PASS' : 'FAIL',
  };
}

function percent(share: number): string {
  return `${(share * 100).toFixed(0)}%`;
}

/** A share as a signed percentage: +3.1%, −0.4%. */
function signed(share: number): string {
  return `${share >= 0 ? '+' : '−'}${(Math.abs(share) * 100).toFixed(1)}%`;
}

function signedUs(value: number | undefined): string {
  if (value === undefined) return '?';
  return `${value >= 0 ? '+' : '−'}${Math.abs(Math.round(value))} µs`;
}
