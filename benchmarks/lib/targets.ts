import type { LatencyStats } from './measure-latency.js';
import type { ByScenario, ThroughputSummary, Verdict } from './results.js';
import type { RssSummary } from './rss-sampler.js';
import type { ScenarioName } from './scenarios.js';

/** The targets of the issue, all measured as ratios or differences within one run. */
export const GOALS = {
  /** llm-proxy req/s as a share of the minimal pass-through's. */
  minThroughputRatio: 0.8,
  addedP50Us: 500,
  addedP99Us: 2000,
  /** Stream time-to-first-byte p50, llm-proxy minus direct. */
  ttfbDeltaUs: 1000,
  maxRssMb: 150,
} as const;

/** What the verdicts are computed from. */
export interface Measurements {
  readonly throughput: ByScenario<ThroughputSummary>;
  readonly latency: ByScenario<LatencyStats>;
  readonly rss: RssSummary | undefined;
}

/** Compares the measurements with {@link GOALS}; anything not measured is SKIP. */
export function evaluateTargets(measured: Measurements): Verdict[] {
  const json = measured.latency.json;
  return [
    throughputVerdict(measured.throughput, 'json'),
    throughputVerdict(measured.throughput, 'sse'),
    addedVerdict(
      'added latency p50 (JSON)',
      json?.['llm-proxy']?.p50Us,
      json?.direct?.p50Us,
      GOALS.addedP50Us,
    ),
    addedVerdict(
      'added latency p99 (JSON)',
      json?.['llm-proxy']?.p99Us,
      json?.direct?.p99Us,
      GOALS.addedP99Us,
    ),
    addedVerdict(
      'stream first byte p50 vs direct',
      measured.latency.sse?.['llm-proxy']?.firstByteP50Us,
      measured.latency.sse?.direct?.firstByteP50Us,
      GOALS.ttfbDeltaUs,
    ),
    rssVerdict(measured.rss),
  ];
}

function throughputVerdict(throughput: ByScenario<ThroughputSummary>, scenario: ScenarioName): Verdict {
  const name = `throughput ${scenario.toUpperCase()} vs minimal proxy`;
  const goal = `≥ ${GOALS.minThroughputRatio * 100}%`;
  const proxy = throughput[scenario]?.['llm-proxy'];
  const minimal = throughput[scenario]?.minimal;
  const ratio = proxy?.ratioToMinimal;
  if (proxy === undefined || minimal === undefined || ratio === undefined) {
    return { name, goal, measured: 'not measured', status: 'SKIP' };
  }
  const cpu = proxy.cpuUsPerRequest / minimal.cpuUsPerRequest;
  const rates = `${Math.round(proxy.requestsPerSecond)} / ${Math.round(minimal.requestsPerSecond)} req/s`;
  return {
    name,
    goal,
    measured: `${(ratio * 100).toFixed(1)}% (${rates}${Number.isNaN(cpu) ? '' : `; CPU per request ${cpu.toFixed(2)}× minimal`})`,
    status: ratio >= GOALS.minThroughputRatio ? 'PASS' : 'FAIL',
  };
}

function addedVerdict(
  name: string,
  proxyUs: number | undefined,
  directUs: number | undefined,
  maxUs: number,
): Verdict {
  const goal = `≤ ${maxUs / 1000} ms`;
  if (proxyUs === undefined || directUs === undefined)
    return { name, goal, measured: 'not measured', status: 'SKIP' };
  const added = proxyUs - directUs;
  return {
    name,
    goal,
    measured: `${(added / 1000).toFixed(3)} ms (${Math.round(proxyUs)} − ${Math.round(directUs)} µs)`,
    status: added <= maxUs ? 'PASS' : 'FAIL',
  };
}

function rssVerdict(rss: RssSummary | undefined): Verdict {
  const name = 'llm-proxy peak RSS under load';
  const goal = `< ${GOALS.maxRssMb} MB`;
  if (rss === undefined || rss.samples === 0) return { name, goal, measured: 'not measured', status: 'SKIP' };
  return {
    name,
    goal,
    measured: `${rss.peakMb.toFixed(1)} MB (high-water ${rss.highWaterMb.toFixed(1)} MB)`,
    status: rss.peakMb < GOALS.maxRssMb ? 'PASS' : 'FAIL',
  };
}
