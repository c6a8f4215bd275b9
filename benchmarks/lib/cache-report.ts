import type { CacheCounters } from './cache-metrics.js';
import type { CacheBenchResults } from './cache-results.js';
import type { CacheThroughputRow } from './cache-throughput.js';
import type { LatencyStats } from './measure-latency.js';
import { verdictSection } from './report.js';
import { rssSection } from './rss-sampler.js';
import { textTable } from './text-table.js';

const SERIES_PREFIX = 'llm_proxy_cache_';

/** The human-readable report of a cache run: settings, sanity check, throughput, latency, memory, verdicts. */
export function formatCacheReport(results: CacheBenchResults): string {
  const { options } = results;
  const sections = [
    `llm-proxy response cache benchmark — ${results.date} — ${results.machine.cpus} × ${results.machine.cpuModel}, node ${results.machine.node}`,
    `llm-proxy run from ${results.llmProxy.runner} (${results.llmProxy.reason}); load average ` +
      `${results.machine.loadAverageAtStart.join(' ')} at start, ${results.machine.loadAverageAtEnd.join(' ')} at end`,
    'Processes and their cache settings (requests opt in with Cache-Control: public, max-age=600)',
    textTable([
      ['process', 'settings'],
      ...Object.entries(results.settings).map(([name, env]) => [
        name,
        Object.entries(env)
          .map(([key, value]) => `${key}=${value}`)
          .join(' '),
      ]),
    ]),
    'Sanity check — an opted-in request the process had not seen, then the same request again',
    textTable([
      ['process', 'first', 'repeated', 'repeated Cache-Status', 'Age'],
      ...Object.entries(results.sanity).map(([name, seen]) => [
        name,
        seen.first['x-proxy-cache'] ?? '(none)',
        `${seen.second['x-proxy-cache'] ?? '(none)'}${seen.attempts > 1 ? ` (after ${seen.attempts} tries)` : ''}`,
        seen.second['cache-status'] ?? '(none)',
        seen.second.age ?? '',
      ]),
    ]),
  ];
  if (results.storeFill !== null) {
    const fill = results.storeFill;
    sections.push(
      `Capture-on store filled before the legs: ${fill.requests.toLocaleString('en-US')} misses in ${fill.seconds} s, ` +
        (fill.full
          ? `full (evicting) at ${describeCounters(pick(fill.cache, ['entries', 'bytes']), false)}`
          : `not full yet (${describeCounters(pick(fill.cache, ['entries', 'bytes']), false)}): the first legs stored without evicting`),
    );
  }
  if (results.throughput.length > 0) {
    sections.push(
      `Throughput — ${options.connections} connections, ${options.durationSeconds} s after ${options.warmupSeconds} s warm-up, median of ${options.rounds} round(s); ` +
        "vs = req/s (and CPU µs/req) against the first row of the leg in the same round; +Redis = the Redis server's CPU µs/req; " +
        "loader = the load generator's CPU, % of one core; cache = llm_proxy_cache_* counters over the measured runs",
      textTable([
        [
          'leg',
          'target',
          'req/s',
          'vs',
          'p50 ms',
          'p99 ms',
          'CPU µs/req',
          'CPU vs',
          '+Redis',
          'loader',
          'requests',
          'cache',
        ],
        ...results.throughput.flatMap((group) => group.rows.map((row) => throughputRow(group.scenario, row))),
      ]),
    );
  }
  if (results.latency.length > 0) {
    sections.push(
      `Sequential latency — ${options.latencyRequests} requests per target after ${options.latencyWarmup} warm-up, targets interleaved request by request, µs; X-PROXY-CACHE of the measured answers`,
      textTable([
        ['leg', 'target', 'p50', 'p90', 'p99', 'first byte p50', 'X-PROXY-CACHE'],
        ...results.latency.flatMap((group) =>
          Object.entries(group.byTarget).map(([target, stats]) => latencyRow(group.scenario, target, stats)),
        ),
      ]),
    );
  }
  sections.push(...rssSection(Object.entries(results.rss)));
  const endRows = Object.entries(results.cacheAtEnd)
    .map(([target, counters]) => [target, describeCounters(counters, false)])
    .filter(([, series]) => series !== '');
  if (endRows.length > 0) {
    sections.push('Cache series at the end of the run', textTable([['process', 'series'], ...endRows]));
  }
  if (results.redis !== null) {
    sections.push(
      `Redis: key prefix ${results.redis.keyPrefix}, ${results.redis.keysAtEnd} key(s) at the end, ${results.redis.deleted} deleted`,
    );
  }
  sections.push(...verdictSection(results.targets, results.passed));
  return sections.join('\n\n');
}

function pick(counters: CacheCounters, names: readonly string[]): CacheCounters {
  return Object.fromEntries(
    Object.entries(counters).filter(([name]) => names.includes(name.replace(SERIES_PREFIX, ''))),
  );
}

function throughputRow(scenario: string, row: CacheThroughputRow): string[] {
  return [
    scenario,
    row.target,
    Math.round(row.requestsPerSecond).toLocaleString('en-US'),
    row.ratioToBaseline === undefined ? '' : `${row.ratioToBaseline.toFixed(2)}×`,
    row.latencyP50Ms.toFixed(0),
    row.latencyP99Ms.toFixed(0),
    Number.isNaN(row.cpuUsPerRequest) ? 'n/a' : row.cpuUsPerRequest.toFixed(0),
    row.cpuRatioToBaseline === undefined || Number.isNaN(row.cpuRatioToBaseline)
      ? ''
      : `${row.cpuRatioToBaseline.toFixed(2)}×`,
    row.helperCpuUsPerRequest === undefined ? '' : row.helperCpuUsPerRequest.toFixed(0),
    `${row.loaderCpuPercent.toFixed(0)}%`,
    row.requests.toLocaleString('en-US'),
    describeCounters(row.cache, true),
  ];
}

function latencyRow(scenario: string, target: string, stats: LatencyStats): string[] {
  return [
    scenario,
    target,
    stats.p50Us.toFixed(0),
    stats.p90Us.toFixed(0),
    stats.p99Us.toFixed(0),
    stats.firstByteP50Us.toFixed(0),
    Object.entries(stats.recordedHeader ?? {})
      .map(([value, count]) => `${value}×${count}`)
      .join(', '),
  ];
}

/**
 * `hits +123, stores +4, entries 56 …` from the series, without their common prefix and `_total`, leaving out
 * counters at zero; counters are marked `+` when they are what changed during the legs.
 */
function describeCounters(counters: CacheCounters, deltas: boolean): string {
  return (
    Object.entries(counters)
      // A counter that did not move says nothing; the gauges (entries, bytes) are always shown.
      .filter(([name, value]) => value !== 0 || !name.endsWith('_total'))
      .map(([name, value]) => {
        const short = name.replace(SERIES_PREFIX, '').replace(/_total$/, '');
        const text = Number.isInteger(value) ? String(value) : value.toFixed(1);
        return deltas && name.endsWith('_total') ? `${short} +${text}` : `${short} ${text}`;
      })
      .join(', ')
  );
}
