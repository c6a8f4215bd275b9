import { parseArgs } from 'node:util';

import { listOption } from './cli-options.js';
import type { PhaseName } from './run-options.js';
import { loadOptionSpecs, parseLoadOptions } from './run-options.js';
import type { ScenarioName } from './scenarios.js';

/** Everything `benchmarks/ab.ts` can be told. */
export interface AbOptions {
  /** The baseline: a git revision or `worktree`. */
  readonly refA: string;
  /** The candidate: a git revision or `worktree`. */
  readonly refB: string;
  /** Measured seconds per paired throughput leg. @default 10 */
  readonly durationSeconds: number;
  /** Unmeasured seconds of the same paired load before each leg. @default 10 */
  readonly warmupSeconds: number;
  /** Concurrent connections to each of the two loaded builds. @default 50 */
  readonly connections: number;
  /** How often each pair (A/A' and A/B) is measured per scenario. @default 5 */
  readonly rounds: number;
  /** Measured sequential requests per build, scenario and round. @default 2000 */
  readonly latencyRequests: number;
  /** Unmeasured sequential requests per build, scenario and round first. @default 200 */
  readonly latencyWarmup: number;
  readonly phases: readonly PhaseName[];
  /** @default ['json', 'sse'] */
  readonly scenarios: readonly ScenarioName[];
  /** Report a worse B but exit 0. */
  readonly noFail: boolean;
  /** Where the JSON results are written. @default 'benchmarks/results/ab-latest.json' */
  readonly out: string;
}

/** The usage text. */
export const AB_USAGE = `Usage: npx tsx benchmarks/ab.ts <refA> <refB> [options]

  <refA> <refB>            the baseline and the candidate: a git revision (commit, branch, tag, HEAD~1) or
                           "worktree" (the working tree's sources, committed or not)
  --duration <s>           measured seconds per paired throughput leg (default 10)
  --warmup <s>             paired warm-up seconds before each leg (default 10)
  --connections <n>        concurrent connections to each build (default 50)
  --rounds <n>             measure each pair (A/A', A/B) n times per scenario (default 5)
  --latency-requests <n>   sequential requests per build, scenario and round (default 2000)
  --latency-warmup <n>     unmeasured sequential requests first (default 200)
  --phases <list>          throughput,latency (default both)
  --scenarios <list>       json,sse (default both)
  --no-fail                report a worse B but exit 0
  --out <file>             results file (default benchmarks/results/ab-latest.json)
  --help`;

/** Parses the command line; throws with a one-line message on invalid input. */
export function parseAbOptions(argv: readonly string[]): AbOptions | 'help' {
  const { values, positionals } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      ...loadOptionSpecs(5),
      phases: { type: 'string', default: 'throughput,latency' },
      scenarios: { type: 'string', default: 'json,sse' },
      'no-fail': { type: 'boolean', default: false },
      out: { type: 'string', default: 'benchmarks/results/ab-latest.json' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const [refA, refB, ...extra] = positionals;
  if (refA === undefined || refB === undefined || extra.length > 0) {
    throw new Error(`expected two refs (A and B), got ${positionals.length}`);
  }
  return {
    refA,
    refB,
    ...parseLoadOptions(values),
    phases: listOption('phases', values.phases, ['throughput', 'latency']),
    scenarios: listOption('scenarios', values.scenarios, ['json', 'sse']),
    noFail: values['no-fail'],
    out: values.out,
  };
}
