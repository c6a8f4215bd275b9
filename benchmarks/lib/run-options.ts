import { parseArgs } from 'node:util';

import { integerOption, listOption } from './cli-options.js';
import type { ScenarioName, TargetName } from './scenarios.js';
import type { RunnerChoice } from './server-runner.js';
import { runnerChoice } from './server-runner.js';

/** The measured phases, in the order they run. */
export type PhaseName = 'throughput' | 'latency';

/** How the load of a benchmark run is shaped: shared by `benchmarks/run.ts` and `benchmarks/cache.ts`. */
export interface LoadOptions {
  /** Measured seconds per throughput leg. @default 10 */
  readonly durationSeconds: number;
  /** Unmeasured seconds of load before each throughput leg (run.ts: 2, cache.ts: 10). */
  readonly warmupSeconds: number;
  /** Concurrent connections of the throughput legs. @default 50 */
  readonly connections: number;
  /** How often each leg is repeated (alternating the order of targets); medians are reported. @default 1 */
  readonly rounds: number;
  /** Measured sequential requests per target and scenario. @default 2000 */
  readonly latencyRequests: number;
  /** Unmeasured sequential requests per target and scenario first. @default 200 */
  readonly latencyWarmup: number;
}

/** Everything `benchmarks/run.ts` can be told. */
export interface RunOptions extends LoadOptions {
  /** Pause between the fake upstream's SSE chunks. @default 0 */
  readonly sseDelayMs: number;
  readonly phases: readonly PhaseName[];
  /** What is measured. @default ['direct', 'minimal', 'llm-proxy'] */
  readonly targets: readonly TargetName[];
  /** @default ['json', 'sse'] */
  readonly scenarios: readonly ScenarioName[];
  /** How llm-proxy is run. @default 'auto' */
  readonly server: RunnerChoice;
  /** Report failed targets but exit 0. */
  readonly noFail: boolean;
  /** Run llm-proxy with `--cpu-prof` and keep the profile. */
  readonly cpuProf: boolean;
  /** Where the JSON results are written. @default 'benchmarks/results/latest.json' */
  readonly out: string;
}

/** The command-line options of {@link LoadOptions}, for `parseArgs`, with a benchmark's default rounds. */
export function loadOptionSpecs(defaultRounds: number) {
  return {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: String(defaultRounds) },
    'latency-requests': { type: 'string', default: '2000' },
    'latency-warmup': { type: 'string', default: '200' },
  } as const;
}

/** What `parseArgs` read for {@link loadOptionSpecs}. */
interface LoadValues {
  readonly duration: string;
  readonly warmup: string;
  readonly connections: string;
  readonly rounds: string;
  readonly 'latency-requests': string;
  readonly 'latency-warmup': string;
}

/** The load options, each checked against its range; throws with a one-line message. */
export function parseLoadOptions(values: LoadValues): LoadOptions {
  return {
    durationSeconds: integerOption('duration', values.duration, 1, 600),
    warmupSeconds: integerOption('warmup', values.warmup, 0, 60),
    connections: integerOption('connections', values.connections, 1, 1000),
    rounds: integerOption('rounds', values.rounds, 1, 20),
    latencyRequests: integerOption('latency-requests', values['latency-requests'], 10, 100_000),
    latencyWarmup: integerOption('latency-warmup', values['latency-warmup'], 0, 100_000),
  };
}

/** The usage text. */
export const USAGE = `Usage: npx tsx benchmarks/run.ts [options]

  --duration <s>           measured seconds per throughput leg (default 10)
  --warmup <s>             warm-up seconds before each throughput leg (default 10)
  --connections <n>        concurrent connections for throughput (default 50)
  --rounds <n>             repeat every leg n times, alternating target order; report medians (default 1)
  --latency-requests <n>   sequential requests per target and scenario (default 2000)
  --latency-warmup <n>     unmeasured sequential requests first (default 200)
  --sse-delay-ms <ms>      pause between the fake upstream's SSE chunks (default 0)
  --phases <list>          throughput,latency (default both)
  --targets <list>         direct,minimal,llm-proxy (default all; direct,minimal checks the harness alone)
  --scenarios <list>       json,sse (default both)
  --server <how>           how llm-proxy runs: dist (the repository's build), build (compile src/ into a
                           temporary folder), tsx (sources through the tsx loader) or auto (default:
                           dist when it is up to date with src/, else build)
  --cpu-prof               run both proxies with --cpu-prof and keep the .cpuprofile files
  --no-fail                report failed targets but exit 0
  --out <file>             results file (default benchmarks/results/latest.json)
  --help`;

/** Parses the command line; throws with a one-line message on invalid input. */
export function parseRunOptions(argv: readonly string[]): RunOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      ...loadOptionSpecs(1),
      'sse-delay-ms': { type: 'string', default: '0' },
      phases: { type: 'string', default: 'throughput,latency' },
      targets: { type: 'string', default: 'direct,minimal,llm-proxy' },
      scenarios: { type: 'string', default: 'json,sse' },
      server: { type: 'string', default: 'auto' },
      'cpu-prof': { type: 'boolean', default: false },
      'no-fail': { type: 'boolean', default: false },
      out: { type: 'string', default: 'benchmarks/results/latest.json' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  return {
    ...parseLoadOptions(values),
    sseDelayMs: integerOption('sse-delay-ms', values['sse-delay-ms'], 0, 1000),
    phases: listOption('phases', values.phases, ['throughput', 'latency']),
    targets: listOption('targets', values.targets, ['direct', 'minimal', 'llm-proxy']),
    scenarios: listOption('scenarios', values.scenarios, ['json', 'sse']),
    server: runnerChoice(values.server),
    noFail: values['no-fail'],
    cpuProf: values['cpu-prof'],
    out: values.out,
  };
}
