import type { EventsLatencyGroup } from './events-latency.js';
import type { EventsRunOptions } from './events-options.js';
import type { EventsDelivery } from './events-sanity.js';
import type { EventsTargetName } from './events-targets.js';
import type { EventsThroughputGroup } from './events-throughput.js';
import type { MachineInfo } from './machine.js';
import type { Verdict } from './results.js';
import type { RssSummary } from './rss-sampler.js';
import type { RunnerKind } from './server-runner.js';

/** What an events run writes to `benchmarks/results/events-latest.json`. */
export interface EventsBenchResults {
  readonly date: string;
  readonly command: string;
  readonly machine: MachineInfo;
  readonly options: EventsRunOptions;
  readonly llmProxy: { readonly runner: RunnerKind; readonly reason: string };
  /** The event settings each llm-proxy process ran with. */
  readonly settings: Partial<Record<EventsTargetName, Readonly<Record<string, string>>>>;
  readonly throughput: readonly EventsThroughputGroup[];
  readonly latency: readonly EventsLatencyGroup[];
  /** Resident memory during the throughput phase. */
  readonly rss: Partial<Record<EventsTargetName, RssSummary>>;
  /** What each process served and what reached its consumer, checked after the run. */
  readonly delivery: Partial<Record<EventsTargetName, EventsDelivery>>;
  /** The Redis Streams leg's stream (deleted at the end). */
  readonly redis: { readonly streamKey: string; readonly deleted: number } | null;
  readonly targets: readonly Verdict[];
  readonly passed: boolean;
}
