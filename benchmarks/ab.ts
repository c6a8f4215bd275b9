/**
 * Compares two builds of llm-proxy on this machine, side by side under the same load at the same moment, and
 * reports an A/A comparison (A against a second process of A) next to it as the noise band:
 *
 *   npx tsx benchmarks/ab.ts <refA> <refB> [--rounds 5] [--duration 10] … (--help for all options)
 *
 * A ref is a git revision or `worktree`. Prints a report, writes benchmarks/results/ab-latest.json and exits 1
 * when B is worse than A beyond the noise, 2 when the run itself failed. Child processes are stopped on every
 * exit path.
 */
import { fileURLToPath } from 'node:url';

import { runPairedLatency } from './lib/ab-latency.js';
import { AB_USAGE, parseAbOptions } from './lib/ab-options.js';
import type { AbOptions } from './lib/ab-options.js';
import { formatAbReport } from './lib/ab-report.js';
import type { AbResults, BuildInfo } from './lib/ab-results.js';
import { startAbTargets } from './lib/ab-targets.js';
import { runPairedThroughput } from './lib/ab-throughput.js';
import { evaluateAb } from './lib/ab-verdict.js';
import type { BuiltRef } from './lib/build-ref.js';
import { runBenchmarkMain } from './lib/bench-main.js';
import { describeMachine, loadAverages } from './lib/machine.js';
import { progress } from './lib/progress.js';
import { assertTargetsRelayUpstream } from './lib/sanity-check.js';
import { SCENARIOS } from './lib/scenarios.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Two tsc builds and three servers starting on a busy machine. */
const STARTUP_BUDGET_S = 480;

process.exitCode = await runBenchmarkMain(
  {
    name: 'A/B benchmark',
    usage: AB_USAGE,
    workDirPrefix: 'llm-proxy-ab-',
    parse: parseAbOptions,
    timeBudgetSeconds,
    measure: compare,
    report: formatAbReport,
  },
  process.argv.slice(2),
);

async function compare(options: AbOptions, workDir: string): Promise<AbResults> {
  const date = new Date().toISOString();
  const loadAverageAtStart = loadAverages();
  const { direct, a, aPrime, b, builds } = await startAbTargets(
    { a: options.refA, b: options.refB },
    workDir,
    REPO_ROOT,
    progress,
  );
  progress('checking that every build relays the upstream unchanged');
  await assertTargetsRelayUpstream(direct, [a, aPrime, b]);
  const scenarios = SCENARIOS.filter((scenario) => options.scenarios.includes(scenario.name));
  const throughput = options.phases.includes('throughput')
    ? await runPairedThroughput(
        { first: a, second: aPrime },
        { first: a, second: b },
        {
          connections: options.connections,
          durationSeconds: options.durationSeconds,
          warmupSeconds: options.warmupSeconds,
          rounds: options.rounds,
          scenarios,
          onLeg: progress,
        },
      )
    : {};
  const latency = options.phases.includes('latency')
    ? await runPairedLatency(a, aPrime, b, {
        requests: options.latencyRequests,
        warmup: options.latencyWarmup,
        rounds: options.rounds,
        scenarios,
        onLeg: progress,
      })
    : {};
  const verdicts = evaluateAb(throughput, latency);
  return {
    date,
    command: `npx tsx benchmarks/ab.ts ${process.argv.slice(2).join(' ')}`.trim(),
    machine: describeMachine(loadAverageAtStart),
    options,
    builds: { A: buildInfo(builds.A), B: buildInfo(builds.B) },
    throughput,
    latency,
    verdicts,
    passed: verdicts.every((verdict) => verdict.status !== 'FAIL'),
  };
}

/** Upper bound of a run's duration: builds and startup plus twice the planned measuring time. */
function timeBudgetSeconds(options: AbOptions): number {
  const rounds = options.rounds * options.scenarios.length;
  // Two pairs per round, one after the other.
  const throughput = options.phases.includes('throughput')
    ? rounds * 2 * (options.warmupSeconds + options.durationSeconds + 1)
    : 0;
  // Three builds answer each round's requests; well under 5 ms each on loopback.
  const latency = options.phases.includes('latency')
    ? rounds * 3 * (options.latencyRequests + options.latencyWarmup) * 0.005
    : 0;
  return STARTUP_BUDGET_S + 2 * (throughput + latency);
}

function buildInfo(built: BuiltRef): BuildInfo {
  return {
    ref: built.ref,
    commit: built.commit,
    subject: built.subject,
    uncommittedChanges: built.uncommittedChanges,
  };
}
