import { parseArgs } from 'node:util';

import { listOption } from './cli-options.js';
import type { LoadOptions, PhaseName } from './run-options.js';
import { loadOptionSpecs, parseLoadOptions } from './run-options.js';
import type { RunnerChoice } from './server-runner.js';
import { runnerChoice } from './server-runner.js';

/**
 * The legs of the cache benchmark: a memory hit and a Redis hit (each against the minimal pass-through), and a
 * miss with capture on against the same miss with the cache off.
 */
export type CacheLegName = 'memory' | 'redis' | 'capture';

/** Everything `benchmarks/cache.ts` can be told. */
export interface CacheRunOptions extends LoadOptions {
  readonly phases: readonly PhaseName[];
  /** @default ['memory', 'redis', 'capture'] */
  readonly legs: readonly CacheLegName[];
  /** The Redis of the `redis` leg. @default LLM_PROXY_BENCH_REDIS_URL, else redis://127.0.0.1:6379 */
  readonly redisUrl: string;
  /** `HTTP_CACHE_MAX_BYTES` of the capture-on server (a size as the setting takes it). @default '16MiB' */
  readonly captureMaxBytes: string;
  /** How llm-proxy is run. @default 'auto' */
  readonly server: RunnerChoice;
  /** Report failed targets but exit 0. */
  readonly noFail: boolean;
  /** Run the proxies with `--cpu-prof` and keep the profiles. */
  readonly cpuProf: boolean;
  /** Where the JSON results are written. @default 'benchmarks/results/cache-latest.json' */
  readonly out: string;
}

const DEFAULT_REDIS_URL = process.env.LLM_PROXY_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The usage text. */
export const CACHE_USAGE = `Usage: npx tsx benchmarks/cache.ts [options]   (npm run bench:cache -- [options])

  --duration <s>           measured seconds per throughput leg (default 10)
  --warmup <s>             warm-up seconds before each throughput leg (default 10)
  --connections <n>        concurrent connections for throughput (default 50)
  --rounds <n>             repeat every leg n times, alternating target order; report medians (default 1)
  --latency-requests <n>   sequential requests per target and scenario (default 2000)
  --latency-warmup <n>     unmeasured sequential requests first (default 200)
  --phases <list>          throughput,latency (default both)
  --legs <list>            memory,redis,capture (default all): memory and redis hits against the minimal
                           proxy (and the bare upstream, the ceiling), and misses with capture on against
                           capture off on the same process, and against the cache off
  --redis-url <url>        Redis of the redis leg (default $LLM_PROXY_BENCH_REDIS_URL or redis://127.0.0.1:6379);
                           a random key prefix per run, its keys deleted at the end
  --capture-max-bytes <s>  HTTP_CACHE_MAX_BYTES of the capture-on server (default 16MiB); it is filled with
                           misses until it evicts before the capture legs, so every measured store evicts too
  --server <how>           how llm-proxy runs: dist, build, tsx or auto (default; see benchmarks/README.md)
  --cpu-prof               run the proxies with --cpu-prof and keep the .cpuprofile files
  --no-fail                report failed targets but exit 0
  --out <file>             results file (default benchmarks/results/cache-latest.json)
  --help`;

/** Parses the command line; throws with a one-line message on invalid input. */
export function parseCacheRunOptions(argv: readonly string[]): CacheRunOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      ...loadOptionSpecs(1),
      phases: { type: 'string', default: 'throughput,latency' },
      legs: { type: 'string', default: 'memory,redis,capture' },
      'redis-url': { type: 'string', default: DEFAULT_REDIS_URL },
      'capture-max-bytes': { type: 'string', default: '16MiB' },
      server: { type: 'string', default: 'auto' },
      'cpu-prof': { type: 'boolean', default: false },
      'no-fail': { type: 'boolean', default: false },
      out: { type: 'string', default: 'benchmarks/results/cache-latest.json' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const legs = listOption('legs', values.legs, ['memory', 'redis', 'capture']);
  if (legs.length === 0) throw new Error('--legs: name at least one of memory, redis, capture');
  return {
    ...parseLoadOptions(values),
    phases: listOption('phases', values.phases, ['throughput', 'latency']),
    legs,
    redisUrl: redisUrlOption(values['redis-url']),
    captureMaxBytes: sizeOption(values['capture-max-bytes']),
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

function sizeOption(value: string): string {
  if (!/^\d+(\.\d+)?\s*([kmg]i?b|b)?$/i.test(value.trim())) {
    throw new Error(`--capture-max-bytes: expected a size such as 16MiB or 134217728, got ${value}`);
  }
  return value.trim();
}
