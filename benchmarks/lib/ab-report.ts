import type { BuildInfo, AbResults } from './ab-results.js';
import type { PairThroughput } from './ab-throughput.js';
import { AB_RULE } from './ab-verdict.js';
import type { AbVerdict } from './ab-verdict.js';
import { SCENARIOS } from './scenarios.js';
import type { Spread } from './stats.js';
import { textTable } from './text-table.js';

/** The human-readable report of an A/B run: paired throughput, paired latency and the verdict per metric. */
export function formatAbReport(results: AbResults): string {
  const { options, machine } = results;
  const sections = [
    `llm-proxy A/B benchmark — ${results.date} — ${machine.cpus} × ${machine.cpuModel}, node ${machine.node}`,
    [
      `A  = ${describeBuild(results.builds.A)}`,
      `A' = a second process of build A (the A/A noise)`,
      `B  = ${describeBuild(results.builds.B)}`,
      `load average ${machine.loadAverageAtStart.join(' ')} at start, ${machine.loadAverageAtEnd.join(' ')} at end`,
    ].join('\n'),
  ];
  const throughputRows = SCENARIOS.flatMap((scenario) => {
    const paired = results.throughput[scenario.name];
    if (paired === undefined) return [];
    return [
      throughputRow(scenario.name, "A'/A", paired.noise),
      throughputRow(scenario.name, 'B/A', paired.candidate),
    ];
  });
  if (throughputRows.length > 0) {
    sections.push(
      `Paired throughput — the two processes of a pair loaded at the same moment, ${options.connections} connections each, ` +
        `${options.durationSeconds} s after ${options.warmupSeconds} s warm-up, ${options.rounds} round(s); ` +
        'ratio = other / A within each leg: median and range over the rounds',
      textTable([
        [
          'scenario',
          'pair',
          'A req/s',
          'other req/s',
          'ratio',
          'range',
          'A CPU µs/req',
          'other CPU µs/req',
          'ratio',
          'range',
        ],
        ...throughputRows,
      ]),
    );
  }
  const latencyRows = SCENARIOS.flatMap((scenario) => {
    const sequential = results.latency[scenario.name];
    if (sequential === undefined) return [];
    const row = (name: 'A' | "A'" | 'B', deltas?: { p50DeltaUs: Spread; p99DeltaUs: Spread }): string[] => {
      const medians = sequential.medians[name];
      return [
        scenario.name,
        name,
        medians === undefined ? '' : medians.p50Us.toFixed(0),
        medians === undefined ? '' : medians.p99Us.toFixed(0),
        deltas === undefined ? '' : signed(deltas.p50DeltaUs.median),
        deltas === undefined ? '' : range(deltas.p50DeltaUs, signed),
        deltas === undefined ? '' : signed(deltas.p99DeltaUs.median),
        deltas === undefined ? '' : range(deltas.p99DeltaUs, signed),
      ];
    };
    return [row('A'), row("A'", sequential.noise), row('B', sequential.candidate)];
  });
  if (latencyRows.length > 0) {
    sections.push(
      `Sequential latency — ${options.latencyRequests} requests per build after ${options.latencyWarmup} warm-up, ` +
        `A, A' and B interleaved request by request, ${options.rounds} round(s), µs; Δ = build − A within each round`,
      textTable([['scenario', 'build', 'p50', 'p99', 'Δ p50', 'range', 'Δ p99', 'range'], ...latencyRows]),
    );
  }
  const failed = results.verdicts.filter((verdict) => verdict.status === 'FAIL').length;
  sections.push(
    'Verdict',
    textTable([
      ['scenario', 'metric', 'B vs A', 'A/A noise ±', 'B passes when', 'result'],
      ...results.verdicts.map(verdictRow),
    ]),
    AB_RULE,
    failed === 0
      ? 'B is not worse than A beyond the A/A noise.'
      : `B is worse than A beyond the A/A noise in ${failed} metric(s).`,
  );
  return sections.join('\n\n');
}

function describeBuild(build: BuildInfo): string {
  const changes = build.uncommittedChanges ? ' + uncommitted changes' : '';
  return `${build.ref} (${build.commit.slice(0, 10)}${changes} "${build.subject}")`;
}

function throughputRow(scenario: string, pair: string, stats: PairThroughput): string[] {
  const ratio = (value: number): string => value.toFixed(3);
  return [
    scenario,
    pair,
    Math.round(stats.first.requestsPerSecond).toLocaleString('en-US'),
    Math.round(stats.second.requestsPerSecond).toLocaleString('en-US'),
    ratio(stats.requestsPerSecondRatio.median),
    range(stats.requestsPerSecondRatio, ratio),
    cpu(stats.first.cpuUsPerRequest),
    cpu(stats.second.cpuUsPerRequest),
    ratio(stats.cpuUsPerRequestRatio.median),
    range(stats.cpuUsPerRequestRatio, ratio),
  ];
}

function verdictRow(verdict: AbVerdict): string[] {
  const percent = verdict.unit === '%';
  const noise = percent ? `${(verdict.noise * 100).toFixed(1)}%` : verdict.noise.toFixed(0);
  const change = percent ? `${signed(verdict.change * 100, 1)}%` : signed(verdict.change);
  return [
    verdict.scenario,
    percent ? verdict.metric : `${verdict.metric} µs`,
    Number.isNaN(verdict.change) ? 'n/a' : change,
    noise,
    `${verdict.higherIsWorse ? '≤ +' : '≥ −'}${noise}`,
    verdict.status,
  ];
}

function cpu(value: number): string {
  return Number.isNaN(value) ? 'n/a' : value.toFixed(1);
}

function range(values: Spread, show: (value: number) => string): string {
  return `${show(values.min)} … ${show(values.max)}`;
}

function signed(value: number, digits = 0): string {
  const text = Math.abs(value).toFixed(digits);
  if (Number(text) === 0) return text;
  return value > 0 ? `+${text}` : `−${text}`;
}
