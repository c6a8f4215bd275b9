import { CliError } from '../shared/cli-error.js';
import { printJson, printRecord } from '../shared/output.js';
import { benchmarkJson, benchmarkRows, debugText } from './benchmark-report.js';
import { runBenchmark } from './benchmark-runner.js';
import type { BenchmarkPlan, BenchmarkRun } from './benchmark-runner.js';
import { summarizeBenchmark } from './benchmark-stats.js';
import { createProgressBar } from './progress-bar.js';

/** How `llm-proxy benchmark` reports. */
export interface BenchmarkReportOptions {
  readonly output: 'table' | 'json';
  /** `--cache` was given: show the cache hits even when no answer carried `x-proxy-cache`. */
  readonly cacheRequested: boolean;
}

/**
 * Runs a benchmark with a progress bar on standard error and prints the report on standard output. The first
 * Ctrl-C stops sending and reports what finished; a second one ends the process. Fails when no request
 * succeeded.
 */
export async function runBenchmarkCommand(
  plan: BenchmarkPlan,
  options: BenchmarkReportOptions,
): Promise<void> {
  process.stderr.write(
    `benchmark: ${plan.requests} × ${plan.method} ${plan.url.href}, concurrency ${plan.concurrency}\n`,
  );
  const controller = new AbortController();
  const stop = (): void => {
    controller.abort();
    process.stderr.write('\ninterrupted: waiting for the requests in flight (Ctrl-C again to quit)\n');
  };
  process.once('SIGINT', stop);
  const bar = createProgressBar(plan.requests, process.stderr);
  let run: BenchmarkRun;
  try {
    run = await runBenchmark(plan, {
      onProgress: (done) => {
        bar.update(done);
      },
      signal: controller.signal,
    });
  } finally {
    bar.finish();
    process.off('SIGINT', stop);
  }
  if (run.debugSamples.length > 0) process.stderr.write(`${debugText(run.debugSamples)}\n\n`);
  const summary = summarizeBenchmark(run.samples, {
    requested: plan.requests,
    concurrency: plan.concurrency,
    durationMs: run.durationMs,
    cacheRequested: options.cacheRequested,
    interrupted: run.interrupted,
  });
  if (options.output === 'json') printJson(benchmarkJson(summary));
  else printRecord(benchmarkRows(summary));
  if (summary.totalRequests > 0 && summary.succeeded === 0) {
    const statuses = summary.statuses.map(({ status, count }) => `${status}: ${count}`).join(', ');
    throw new CliError(`every request failed (${statuses})`);
  }
}
