import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import { format, resolveConfig } from 'prettier';

import type { LatencyStats } from './measure-latency.js';
import type { BenchResults, ThroughputSummary, Verdict } from './results.js';
import { rssSection } from './rss-sampler.js';
import { SCENARIOS } from './scenarios.js';
import type { TargetName } from './scenarios.js';
import { textTable } from './text-table.js';

const TARGET_ORDER: readonly TargetName[] = ['direct', 'minimal', 'llm-proxy'];

/** The human-readable report of a run: throughput, latency, memory and the verdict per target. */
export function formatReport(results: BenchResults): string {
  const { options } = results;
  const sections = [
    `llm-proxy benchmark — ${results.date} — ${results.machine.cpus} × ${results.machine.cpuModel}, node ${results.machine.node}`,
    `llm-proxy run from ${results.llmProxy === null ? '(not measured)' : `${results.llmProxy.runner} (${results.llmProxy.reason})`}; ` +
      `load average ${results.machine.loadAverageAtStart.join(' ')} at start, ${results.machine.loadAverageAtEnd.join(' ')} at end`,
  ];
  if (Object.keys(results.throughput).length > 0) {
    sections.push(
      `Throughput — ${options.connections} connections, ${options.durationSeconds} s after ${options.warmupSeconds} s warm-up, median of ${options.rounds} round(s); CPU µs/req is the serving process's CPU time (the upstream's for direct)`,
      textTable([
        ['scenario', 'target', 'req/s', 'vs minimal', 'p50 ms', 'p99 ms', 'CPU µs/req', 'requests'],
        ...SCENARIOS.flatMap((scenario) => {
          const byTarget = results.throughput[scenario.name] ?? {};
          return present(byTarget).map(([target, stats]) => throughputRow(scenario.name, target, stats));
        }),
      ]),
    );
  }
  if (Object.keys(results.latency).length > 0) {
    sections.push(
      `Sequential latency — ${options.latencyRequests} requests per target after ${options.latencyWarmup} warm-up, one at a time, µs`,
      textTable([
        [
          'scenario',
          'target',
          'p50',
          'p90',
          'p99',
          'added p50',
          'added p99',
          'first byte p50',
          'first byte Δ p50',
        ],
        ...SCENARIOS.flatMap((scenario) => {
          const byTarget = results.latency[scenario.name] ?? {};
          return present(byTarget).map(([target, stats]) =>
            latencyRow(scenario.name, target, stats, byTarget.direct),
          );
        }),
      ]),
    );
  }
  sections.push(...rssSection(present(results.rss)));
  sections.push(...verdictSection(results.targets, results.passed));
  return sections.join('\n\n');
}

/** The report's last section: every target's goal, measurement and result, and whether all were met. */
export function verdictSection(targets: readonly Verdict[], passed: boolean): string[] {
  return [
    'Targets',
    textTable([
      ['target', 'goal', 'measured', 'result'],
      ...targets.map((verdict) => [verdict.name, verdict.goal, verdict.measured, verdict.status]),
    ]),
    passed ? 'All measured targets met.' : 'Some targets were missed.',
  ];
}

/** Writes the results as JSON, creating the folder, formatted as the repository's Prettier check expects. */
export async function writeResults(path: string, results: object): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const options = (await resolveConfig(path)) ?? {};
  writeFileSync(path, await format(JSON.stringify(results), { ...options, parser: 'json' }));
}

function throughputRow(scenario: string, target: TargetName, stats: ThroughputSummary): string[] {
  return [
    scenario,
    target,
    Math.round(stats.requestsPerSecond).toLocaleString('en-US'),
    stats.ratioToMinimal === undefined ? '' : `${(stats.ratioToMinimal * 100).toFixed(1)}%`,
    stats.latencyP50Ms.toFixed(0),
    stats.latencyP99Ms.toFixed(0),
    Number.isNaN(stats.cpuUsPerRequest) ? 'n/a' : stats.cpuUsPerRequest.toFixed(0),
    stats.requests.toLocaleString('en-US'),
  ];
}

function latencyRow(
  scenario: string,
  target: TargetName,
  stats: LatencyStats,
  direct: LatencyStats | undefined,
): string[] {
  const delta = (value: number, base: number | undefined): string =>
    base === undefined || target === 'direct' ? '' : signed(value - base);
  return [
    scenario,
    target,
    stats.p50Us.toFixed(0),
    stats.p90Us.toFixed(0),
    stats.p99Us.toFixed(0),
    delta(stats.p50Us, direct?.p50Us),
    delta(stats.p99Us, direct?.p99Us),
    stats.firstByteP50Us.toFixed(0),
    delta(stats.firstByteP50Us, direct?.firstByteP50Us),
  ];
}

function signed(value: number): string {
  return value >= 0 ? `+${value.toFixed(0)}` : `−${Math.abs(value).toFixed(0)}`;
}

function present<T>(byTarget: Partial<Record<TargetName, T>>): [TargetName, T][] {
  return TARGET_ORDER.flatMap((target) => {
    const value = byTarget[target];
    return value === undefined ? [] : [[target, value] as [TargetName, T]];
  });
}
