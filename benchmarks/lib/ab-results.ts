import type { AbLatency } from './ab-latency.js';
import type { AbOptions } from './ab-options.js';
import type { AbThroughput } from './ab-throughput.js';
import type { AbVerdict } from './ab-verdict.js';
import type { BuiltRef } from './build-ref.js';
import type { MachineInfo } from './machine.js';

/** A build as the results record it (its compiled files live only as long as the run). */
export type BuildInfo = Omit<BuiltRef, 'mainJs'>;

/** What an A/B run writes to `benchmarks/results/ab-latest.json`. */
export interface AbResults {
  readonly date: string;
  readonly command: string;
  readonly machine: MachineInfo;
  readonly options: AbOptions;
  readonly builds: { readonly A: BuildInfo; readonly B: BuildInfo };
  readonly throughput: AbThroughput;
  readonly latency: AbLatency;
  readonly verdicts: readonly AbVerdict[];
  readonly passed: boolean;
}
