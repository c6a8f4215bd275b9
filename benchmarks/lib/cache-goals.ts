import type { CacheLatencyGroup } from './cache-latency.js';
import type { CacheTargetName } from './cache-targets.js';
import type { CacheThroughputGroup, CacheThroughputRow } from './cache-throughput.js';
import type { Verdict } from './results.js';

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
    captureVerdict(row('miss', 'capture-on'), row('miss', 'capture-off')),
  ];
}

function ratioVerdict(
  name: string,
  proxy: CacheThroughputRow | undefined,
  baseline: CacheThroughputRow | undefined,
  goal: number,
  aim?: number,
): Verdict {
  const goalText = `≥ ${goal}×${aim === undefined ? '' : ` (aim ${aim}×)`}`;
  const ratio = proxy?.ratioToBaseline;
  if (proxy === undefined || baseline === undefined || ratio === undefined) {
    return { name, goal: goalText, measured: 'not measured', status: 'SKIP' };
  }
  const aimNote = aim === undefined ? '' : ratio >= aim ? '; aim met' : '; aim not met';
  return {
    name,
    goal: goalText,
    measured: `${ratio.toFixed(2)}× (${rates(proxy, baseline)}${cpuNote(proxy)}${aimNote})`,
    status: ratio >= goal ? 'PASS' : 'FAIL',
  };
}

function captureVerdict(on: CacheThroughputRow | undefined, off: CacheThroughputRow | undefined): Verdict {
  const name = 'miss throughput, capture on vs cache off';
  const goal = `cost ≤ ${CACHE_GOALS.captureMaxCost * 100}%`;
  const ratio = on?.ratioToBaseline;
  if (on === undefined || off === undefined || ratio === undefined) {
    return { name, goal, measured: 'not measured', status: 'SKIP' };
  }
  const cost = 1 - ratio;
  return {
    name,
    goal,
    measured: `${cost >= 0 ? '' : '−'}${(Math.abs(cost) * 100).toFixed(1)}% (${rates(on, off)}${cpuNote(on)})`,
    status: cost <= CACHE_GOALS.captureMaxCost ? 'PASS' : 'FAIL',
  };
}

function rates(proxy: CacheThroughputRow, baseline: CacheThroughputRow): string {
  return `${Math.round(proxy.requestsPerSecond)} / ${Math.round(baseline.requestsPerSecond)} req/s`;
}

function cpuNote(row: CacheThroughputRow): string {
  const cpu = row.cpuRatioToBaseline;
  return cpu === undefined || Number.isNaN(cpu) ? '' : `; CPU per request ${cpu.toFixed(2)}×`;
}
