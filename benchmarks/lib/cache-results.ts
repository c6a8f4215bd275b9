import type { CacheCounters } from './cache-metrics.js';
import type { CacheLatencyGroup } from './cache-latency.js';
import type { CacheRunOptions } from './cache-options.js';
import type { ObservedCacheHeaders } from './cache-sanity.js';
import type { CacheTargetName, LlmProxyCacheTarget } from './cache-targets.js';
import type { CacheThroughputGroup, StoreFill } from './cache-throughput.js';
import type { MachineInfo } from './machine.js';
import type { Verdict } from './results.js';
import type { RssSummary } from './rss-sampler.js';
import type { RunnerKind } from './server-runner.js';

/** What a cache run writes to `benchmarks/results/cache-latest.json`. */
export interface CacheBenchResults {
  readonly date: string;
  readonly command: string;
  readonly machine: MachineInfo;
  readonly options: CacheRunOptions;
  readonly llmProxy: { readonly runner: RunnerKind; readonly reason: string };
  /** The cache settings each llm-proxy process ran with. */
  readonly settings: Partial<Record<LlmProxyCacheTarget, Readonly<Record<string, string>>>>;
  /** The cache headers of the sanity check's first and repeated request, per process. */
  readonly sanity: Partial<Record<CacheTargetName, ObservedCacheHeaders>>;
  readonly throughput: readonly CacheThroughputGroup[];
  readonly latency: readonly CacheLatencyGroup[];
  /** Resident memory during the throughput phase. */
  readonly rss: Partial<Record<CacheTargetName, RssSummary>>;
  /** Each llm-proxy process's cache series at the end of the run. */
  readonly cacheAtEnd: Partial<Record<CacheTargetName, CacheCounters>>;
  /** How the capture-on store was filled before the legs (null when the capture leg's throughput did not run). */
  readonly storeFill: StoreFill | null;
  /** The Redis leg's key prefix, and its keys at the end (all deleted then). */
  readonly redis: { readonly keyPrefix: string; readonly keysAtEnd: number; readonly deleted: number } | null;
  readonly targets: readonly Verdict[];
  readonly passed: boolean;
}
