import type { MachineInfo } from './machine.js';
import type { LatencyStats } from './measure-latency.js';
import type { RssSummary } from './rss-sampler.js';
import type { RunOptions } from './run-options.js';
import type { ScenarioName, TargetName } from './scenarios.js';
import type { RunnerKind } from './server-runner.js';

/** Throughput of one target in one scenario: medians over the rounds. */
export interface ThroughputSummary {
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /**
   * CPU time the target's process spent per request (µs): steadier than req/s on a shared machine, and the
   * ratio between two proxies predicts their throughput ratio wherever the proxy is the bottleneck.
   */
  readonly cpuUsPerRequest: number;
  /** Median over rounds of this target's req/s divided by the minimal proxy's in the same round. */
  readonly ratioToMinimal?: number;
  /** Requests per second of each round, in order. */
  readonly roundsRequestsPerSecond: readonly number[];
  /** Measured requests over all rounds (all 2xx: anything else aborts the run). */
  readonly requests: number;
}

/** A per-scenario, per-target table of results. */
export type ByScenario<T> = Partial<Record<ScenarioName, Partial<Record<TargetName, T>>>>;

/** Whether one target of the issue was met. */
export interface Verdict {
  readonly name: string;
  readonly goal: string;
  readonly measured: string;
  readonly status: 'PASS' | 'FAIL' | 'SKIP';
}

/** What a run writes to `benchmarks/results/latest.json`. */
export interface BenchResults {
  readonly date: string;
  readonly command: string;
  readonly machine: MachineInfo;
  readonly options: RunOptions;
  readonly llmProxy: { readonly runner: RunnerKind; readonly reason: string } | null;
  readonly throughput: ByScenario<ThroughputSummary>;
  /** Sequential per-request latency (medians over the rounds of each percentile). */
  readonly latency: ByScenario<LatencyStats>;
  /** Resident memory during the throughput phase. */
  readonly rss: Partial<Record<TargetName, RssSummary>>;
  readonly targets: readonly Verdict[];
  readonly passed: boolean;
}
