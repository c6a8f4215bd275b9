import type { CacheLatencyGroup } from './cache-latency.js';
import type { CacheTargetName } from './cache-targets.js';
import type { CacheThroughputGroup, CacheThroughputRow } from './cache-throughput.js';
import type { Verdict } from './results.js';
import { median } from './stats.js';

/** The cache targets of the issue, all ratios within one run except the hit's p99. */
export const CACHE_GOALS = {
  /** A memory hit's req/s as a multiple of the minimal pass-through's. */
  memoryHitRatio: 2,
  /** What the issue aims for beyond the goal. */
  memoryHitAim: 3,
  /** Sequential p99 of a memory hit, µs. */
  memoryHitP99Us: 1000,
  redisHitRatio: 1,
  /** Capture on may cost at most this share of the cache-off throughput. */
  captureMaxCost: 0.05,
} as const;

/** Compares the measurements with {@link CACHE_GOALS}; anything not measured is SKIP. */
export function evaluateCacheGoals(
  throughput: readonly CacheThroughputGroup[],
  latency: readonly CacheLatencyGroup[],
): Verdict[] {
  const row = (scenario: string, target: CacheTargetName): CacheThroughputRow | undefined =>
    throughput.find((group) => group.scenario === scenario)?.rows.find((entry) => entry.target === target);
  const memoryP99 = latency.find((group) => group.scenario === 'hit')?.byTarget['cache-memory']?.p99Us;
  return [
    ratioVerdict(
      'memory hit throughput vs minimal proxy',
      row('hit', 'cache-memory'),
      row('hit', 'minimal'),
      CACHE_GOALS.memoryHitRatio,
      CACHE_GOALS.memoryHitAim,
      row('hit', 'direct'),
    ),
    {
      name: 'memory hit p99 (sequential)',
      goal: `< ${CACHE_GOALS.memoryHitP99Us / 1000} ms`,
      ...(memoryP99 === undefined
        ? { measured: 'not measured', status: 'SKIP' as const }
        : {
            measured: `${(memoryP99 / 1000).toFixed(3)} ms`,
            status: memoryP99 < CACHE_GOALS.memoryHitP99Us ? ('PASS' as const) : ('FAIL' as const),
          }),
    },
    ratioVerdict(
      'Redis hit throughput vs minimal proxy',
      row('hit', 'cache-redis'),
      row('hit', 'minimal'),
      CACHE_GOALS.redisHitRatio,
    ),
    captureVerdict(row('miss', 'capture-on'), row('miss', 'no-capture'), row('miss', 'capture-off')),
  ];
}

function ratioVerdict(
  name: string,
  proxy: CacheThroughputRow | undefined,
  baseline: CacheThroughputRow | undefined,
  goal: number,
  aim?: number,
  ceiling?: CacheThroughputRow,
): Verdict {
  const goalText = `≥ ${goal}×${aim === undefined ? '' : ` (aim ${aim}×)`}`;
  const ratio = proxy?.ratioToBaseline;
  if (proxy === undefined || baseline === undefined || ratio === undefined) {
    return { name, goal: goalText, measured: 'not measured', status: 'SKIP' };
  }
  const aimNote = aim === undefined ? '' : ratio >= aim ? '; aim met' : '; aim not met';
  const ceilingNote =
    ceiling?.ratioToBaseline === undefined
      ? ''
      : `; a bare node:http answer: ${ceiling.ratioToBaseline.toFixed(2)}×`;
  return {
    name,
    goal: goalText,
    measured: `${ratio.toFixed(2)}× (${rates(proxy, baseline)}${cpuNote(proxy)}${aimNote}${ceilingNote})`,
    status: ratio >= goal ? 'PASS' : 'FAIL',
  };
}

/**
 * Capture on against capture off: the same requests on the same process, looked up and missed, their answers
 * kept or (the upstream saying `no-store`) not. What the whole cache costs a miss — against the cache switched
 * off, which also spares reading and hashing the request body — is given with it.
 */
function captureVerdict(
  on: CacheThroughputRow | undefined,
  off: CacheThroughputRow | undefined,
  cacheOff: CacheThroughputRow | undefined,
): Verdict {
  const name = 'miss throughput, capture on vs capture off';
  const goal = `cost ≤ ${CACHE_GOALS.captureMaxCost * 100}%`;
  const ratio = on?.ratioToBaseline;
  if (on === undefined || off === undefined || ratio === undefined) {
    return { name, goal, measured: 'not measured', status: 'SKIP' };
  }
  const cost = 1 - ratio;
  const wholeCache = cacheOff === undefined ? undefined : roundRatio(on, cacheOff);
  const cacheNote =
    cacheOff === undefined || wholeCache === undefined
      ? ''
      : `; against the cache off: ${percent(1 - wholeCache)} (${rates(on, cacheOff)})`;
  return {
    name,
    goal,
    measured: `${percent(cost)} (${rates(on, off)}${cpuNote(on)}${cacheNote})`,
    status: cost <= CACHE_GOALS.captureMaxCost ? 'PASS' : 'FAIL',
  };
}

/** A cost as a percentage, a gain with a minus sign. */
function percent(cost: number): string {
  return `${cost >= 0 ? '' : '−'}${(Math.abs(cost) * 100).toFixed(1)}%`;
}

/** The median over rounds of one row's req/s divided by another's in the same round. */
function roundRatio(row: CacheThroughputRow, other: CacheThroughputRow): number | undefined {
  const ratios = row.roundsRequestsPerSecond.flatMap((rate, round) => {
    const otherRate = other.roundsRequestsPerSecond[round];
    return otherRate === undefined || otherRate === 0 ? [] : [rate / otherRate];
  });
  return ratios.length === 0 ? undefined : median(ratios);
}

function rates(proxy: CacheThroughputRow, baseline: CacheThroughputRow): string {
  return `${Math.round(proxy.requestsPerSecond)} / ${Math.round(baseline.requestsPerSecond)} req/s`;
}

function cpuNote(row: CacheThroughputRow): string {
  const cpu = row.cpuRatioToBaseline;
  return cpu === undefined || Number.isNaN(cpu) ? '' : `; CPU per request ${cpu.toFixed(2)}×`;
}
