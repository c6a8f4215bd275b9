import type { EventsLatencyRow } from './events-latency.js';
import type { EventsBenchResults } from './events-results.js';
import type { EventsThroughputRow } from './events-throughput.js';
import { verdictSection } from './report.js';
import { rssSection } from './rss-sampler.js';
import { textTable } from './text-table.js';

/** The human-readable report of an events run: settings, throughput, latency, memory, delivery, verdicts. */
export function formatEventsReport(results: EventsBenchResults): string {
  const { options } = results;
  const sections = [
    `llm-proxy request events benchmark — ${results.date} — ${results.machine.cpus} × ${results.machine.cpuModel}, node ${results.machine.node}`,
    `llm-proxy run from ${results.llmProxy.runner} (${results.llmProxy.reason}); load average ` +
      `${results.machine.loadAverageAtStart.join(' ')} at start, ${results.machine.loadAverageAtEnd.join(' ')} at end`,
    'Processes and their event settings',
    textTable([
      ['process', 'settings'],
      ...Object.entries(results.settings).map(([name, env]) => [
        name,
        Object.entries(env)
          .map(([key, value]) => `${key}=${value}`)
          .join(' '),
      ]),
    ]),
  ];
  if (results.throughput.length > 0) {
    sections.push(
      `Throughput — ${options.connections} connections, ${options.durationSeconds} s after ${options.warmupSeconds} s warm-up, median of ${options.rounds} round(s); ` +
        "vs off = req/s (and CPU µs/req) against events off in the same round; +Redis = the Redis server's CPU µs/req; " +
        "loader = the load generator's CPU, % of one core; events = llm_proxy_events_* over the measured runs",
      textTable([
        [
          'scenario',
          'target',
          'req/s',
          'vs off',
          'p50 ms',
          'p99 ms',
          'CPU µs/req',
          'CPU vs off',
          '+Redis',
          'loader',
          'requests',
          'events',
        ],
        ...results.throughput.flatMap((group) => group.rows.map((row) => throughputRow(group.scenario, row))),
      ]),
    );
  }
  if (results.latency.length > 0) {
    sections.push(
      `Sequential latency — ${options.latencyRequests} requests per target after ${options.latencyWarmup} warm-up, targets interleaved request by request, median of ${options.rounds} round(s), µs; vs off and Δ within each round`,
      textTable([
        ['scenario', 'target', 'p50', 'p90', 'p99', 'p50 vs off', 'Δ p50', 'Δ p99', 'first byte p50'],
        ...results.latency.flatMap((group) => group.rows.map((row) => latencyRow(group.scenario, row))),
      ]),
    );
  }
  sections.push(...rssSection(Object.entries(results.rss)));
  const delivery = Object.entries(results.delivery);
  if (delivery.length > 0) {
    sections.push(
      'Events delivered — served = every request the harness completed (warm-ups and checks included), measured = those timed',
      textTable([
        ['process', 'served', 'measured', 'published', 'dropped', 'JSONL lines', 'stream added', 'XLEN'],
        ...delivery.map(([name, seen]) => [
          name,
          count(seen.served),
          count(seen.measured),
          count(seen.counters.published),
          count(seen.counters.dropped),
          seen.fileLines === undefined ? '' : count(seen.fileLines),
          seen.streamEntriesAdded === undefined || seen.streamEntriesAdded === null
            ? ''
            : count(seen.streamEntriesAdded),
          seen.streamLength === undefined ? '' : count(seen.streamLength),
        ]),
      ]),
    );
  }
  if (results.redis !== null) {
    sections.push(
      `Redis: stream ${results.redis.streamKey}, ${results.redis.deleted} key(s) deleted at the end`,
    );
  }
  sections.push(...verdictSection(results.targets, results.passed));
  return sections.join('\n\n');
}

function throughputRow(scenario: string, row: EventsThroughputRow): string[] {
  return [
    scenario,
    row.target,
    count(row.requestsPerSecond),
    row.ratioToOff === undefined ? '' : `${(row.ratioToOff * 100).toFixed(1)}%`,
    row.latencyP50Ms.toFixed(0),
    row.latencyP99Ms.toFixed(0),
    Number.isNaN(row.cpuUsPerRequest) ? 'n/a' : row.cpuUsPerRequest.toFixed(1),
    row.cpuRatioToOff === undefined || Number.isNaN(row.cpuRatioToOff)
      ? ''
      : `${row.cpuRatioToOff.toFixed(3)}×`,
    row.redisCpuUsPerRequest === undefined ? '' : row.redisCpuUsPerRequest.toFixed(1),
    `${row.loaderCpuPercent.toFixed(0)}%`,
    count(row.requests),
    row.events.published === 0 && row.events.dropped === 0
      ? ''
      : `published +${row.events.published}, dropped +${row.events.dropped}`,
  ];
}

function latencyRow(scenario: string, row: EventsLatencyRow): string[] {
  return [
    scenario,
    row.target,
    row.p50Us.toFixed(0),
    row.p90Us.toFixed(0),
    row.p99Us.toFixed(0),
    row.p50RatioToOff === undefined ? '' : `${(row.p50RatioToOff * 100).toFixed(1)}%`,
    row.deltaP50Us === undefined ? '' : signed(row.deltaP50Us),
    row.deltaP99Us === undefined ? '' : signed(row.deltaP99Us),
    row.firstByteP50Us.toFixed(0),
  ];
}

function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : '−'}${Math.abs(Math.round(value))}`;
}
