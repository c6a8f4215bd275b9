import { parseArgs } from 'node:util';

import { listOption } from './cli-options.js';
import type { LoadOptions, PhaseName } from './run-options.js';
import { loadOptionSpecs, parseLoadOptions } from './run-options.js';
import type { RunnerChoice } from './server-runner.js';
import { runnerChoice } from './server-runner.js';

/** The buses measured against events off (which always runs: it is every ratio's baseline). */
export type EventsLegName = 'memory' | 'redis';

/** Everything `benchmarks/events.ts` can be told. */
export interface EventsRunOptions extends LoadOptions {
  readonly phases: readonly PhaseName[];
  /** @default ['memory', 'redis'] */
  readonly legs: readonly EventsLegName[];
  /** The Redis of the `redis` leg. @default LLM_PROXY_BENCH_REDIS_URL, else redis://127.0.0.1:6379 */
  readonly redisUrl: string;
  /** How llm-proxy is run. @default 'auto' */
  readonly server: RunnerChoice;
  /** Report failed targets but exit 0. */
  readonly noFail: boolean;
  /** Run the proxies with `--cpu-prof` and keep the profiles. */
  readonly cpuProf: boolean;
  /** Where the JSON results are written. @default 'benchmarks/results/events-latest.json' */
  readonly out: string;
}

const DEFAULT_REDIS_URL = process.env.LLM_PROXY_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The usage text. */
export const EVENTS_USAGE = `Usage: npx tsx benchmarks/events.ts [options]   (npm run bench:events -- [options])

  --duration <s>           measured seconds per throughput leg (default 8)
  --warmup <s>             warm-up seconds before each throughput leg (default 4)
  --connections <n>        concurrent connections for throughput (default 50)
  --rounds <n>             repeat every leg n times, alternating target order; report medians (default 2)
  --latency-requests <n>   sequential requests per target and scenario (default 2000)
  --latency-warmup <n>     unmeasured sequential requests first (default 200)
  --phases <list>          throughput,latency (default both)
  --legs <list>            memory,redis (default both): events on with the memory bus (and the in-process
                           JSONL file that consumes it) and with Redis Streams, each against events off
  --redis-url <url>        Redis of the redis leg (default $LLM_PROXY_BENCH_REDIS_URL or redis://127.0.0.1:6379);
                           a stream of this run alone, deleted at the end
  --server <how>           how llm-proxy runs: dist, build, tsx or auto (default; see benchmarks/README.md)
  --cpu-prof               run the proxies with --cpu-prof and keep the .cpuprofile files
  --no-fail                report failed targets but exit 0
  --out <file>             results file (default benchmarks/results/events-latest.json)
  --help`;

/** Parses the command line; throws with a one-line message on invalid input. */
export function parseEventsRunOptions(argv: readonly string[]): EventsRunOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      // Two rounds of shorter legs rather than one long one: the 5 % targets need the ratio of adjacent legs
      // twice, and every process is loaded four times, so the legs after its first run on a warm process.
      ...loadOptionSpecs(2),
      duration: { type: 'string', default: '8' },
      warmup: { type: 'string', default: '4' },
      phases: { type: 'string', default: 'throughput,latency' },
      legs: { type: 'string', default: 'memory,redis' },
      'redis-url': { type: 'string', default: DEFAULT_REDIS_URL },
      server: { type: 'string', default: 'auto' },
      'cpu-prof': { type: 'boolean', default: false },
      'no-fail': { type: 'boolean', default: false },
      out: { type: 'string', default: 'benchmarks/results/events-latest.json' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const legs = listOption('legs', values.legs, ['memory', 'redis']);
  if (legs.length === 0) throw new Error('--legs: name at least one of memory, redis');
  const phases = listOption('phases', values.phases, ['throughput', 'latency']);
  if (phases.length === 0) throw new Error('--phases: name at least one of throughput, latency');
  return {
    ...parseLoadOptions(values),
    phases,
    legs,
    redisUrl: redisUrlOption(values['redis-url']),
    server: runnerChoice(values.server),
    noFail: values['no-fail'],
    cpuProf: values['cpu-prof'],
    out: values.out,
  };
}

function redisUrlOption(value: string): string {
  if (!/^rediss?:\/\//.test(value))
    throw new Error(`--redis-url: expected redis:// or rediss://, got ${value}`);
  return value;
}
