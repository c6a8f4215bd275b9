/**
 * Measures llm-proxy against a direct connection to a fake OpenAI upstream and against a minimal Node
 * pass-through proxy, all on this machine and in the same run, and checks the targets:
 *
 *   npx tsx benchmarks/run.ts [--duration 10] [--rounds 1] [--no-fail] … (--help for all options)
 *
 * Prints a report, writes benchmarks/results/latest.json and exits 1 when a target is missed, 2 when the run
 * itself failed (a server did not start, a request failed). Child processes are stopped on every exit path.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { runBenchmarkMain } from './lib/bench-main.js';
import { runLatencyPhase } from './lib/latency-phase.js';
import { describeMachine, loadAverages } from './lib/machine.js';
import { progress } from './lib/progress.js';
import { formatReport } from './lib/report.js';
import type { BenchResults } from './lib/results.js';
import { startRssSampler } from './lib/rss-sampler.js';
import type { RssSummary } from './lib/rss-sampler.js';
import { USAGE, parseRunOptions } from './lib/run-options.js';
import type { RunOptions } from './lib/run-options.js';
import { assertTargetsRelayUpstream } from './lib/sanity-check.js';
import { SCENARIOS } from './lib/scenarios.js';
import type { TargetName } from './lib/scenarios.js';
import { startTargets } from './lib/start-targets.js';
import { evaluateTargets } from './lib/targets.js';
import { runThroughputPhase } from './lib/throughput-phase.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const STARTUP_BUDGET_S = 120;

process.exitCode = await runBenchmarkMain(
  {
    name: 'benchmark',
    usage: USAGE,
    workDirPrefix: 'llm-proxy-bench-',
    parse: parseRunOptions,
    timeBudgetSeconds,
    measure: benchmark,
    report: formatReport,
    keepWorkDir: (options, workDir) =>
      options.cpuProf ? `CPU profiles (.cpuprofile) kept in ${join(workDir, 'profiles')}` : undefined,
  },
  process.argv.slice(2),
);

async function benchmark(options: RunOptions, workDir: string): Promise<BenchResults> {
  const date = new Date().toISOString();
  const loadAverageAtStart = loadAverages();
  const { direct, measured, llmProxy } = await startTargets(options, workDir, REPO_ROOT, progress);
  progress('checking that every proxy relays the upstream unchanged');
  await assertTargetsRelayUpstream(
    direct,
    measured.filter((target) => target !== direct),
  );
  const scenarios = SCENARIOS.filter((scenario) => options.scenarios.includes(scenario.name));

  const rss: Partial<Record<TargetName, RssSummary>> = {};
  let throughput: BenchResults['throughput'] = {};
  if (options.phases.includes('throughput')) {
    const samplers = measured
      .filter((target) => target !== direct)
      .map((target) => [target.name, startRssSampler(target.pid)] as const);
    throughput = await runThroughputPhase(measured, {
      connections: options.connections,
      durationSeconds: options.durationSeconds,
      warmupSeconds: options.warmupSeconds,
      rounds: options.rounds,
      scenarios,
      onLeg: progress,
    });
    for (const [name, sampler] of samplers) rss[name] = sampler.stop();
  }
  const latency = options.phases.includes('latency')
    ? await runLatencyPhase(measured, {
        requests: options.latencyRequests,
        warmup: options.latencyWarmup,
        rounds: options.rounds,
        scenarios,
        onLeg: progress,
      })
    : {};
  const verdicts = evaluateTargets({ throughput, latency, rss: rss['llm-proxy'] });
  return {
    date,
    command: `npx tsx benchmarks/run.ts ${process.argv.slice(2).join(' ')}`.trim(),
    machine: describeMachine(loadAverageAtStart),
    options,
    llmProxy: llmProxy === undefined ? null : { runner: llmProxy.runner, reason: llmProxy.runnerReason },
    throughput,
    latency,
    rss,
    targets: verdicts,
    passed: verdicts.every((verdict) => verdict.status !== 'FAIL'),
  };
}

/** Upper bound of a run's duration: startup plus twice the planned measuring time. */
function timeBudgetSeconds(options: RunOptions): number {
  const legs = options.rounds * options.scenarios.length * options.targets.length;
  const throughput = options.phases.includes('throughput')
    ? legs * (options.warmupSeconds + options.durationSeconds + 1)
    : 0;
  // Sequential requests take well under 5 ms each on loopback; more means something is badly wrong.
  const latency = options.phases.includes('latency')
    ? legs * (options.latencyRequests + options.latencyWarmup) * 0.005
    : 0;
  return STARTUP_BUDGET_S + 2 * (throughput + latency);
}
