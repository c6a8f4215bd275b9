import { fetchText } from './manage-api.js';

/** The prefix of the response cache's Prometheus series. */
const CACHE_SERIES_PREFIX = 'llm_proxy_cache_';

/** The cache's own series of one llm-proxy process, each summed over its labels (name → value). */
export type CacheCounters = Readonly<Record<string, number>>;

/**
 * Reads the `llm_proxy_cache_*` series from llm-proxy's Prometheus endpoint, summed over their labels: hits,
 * misses, stores, evictions, entries and bytes held — whatever the build exports, so that a leg can show what
 * the cache did during it. Empty when the process serves no metrics.
 */
export function readCacheCounters(origin: string): Promise<CacheCounters> {
  return readPrometheusSeries(origin, CACHE_SERIES_PREFIX);
}

/**
 * Reads the series whose names start with `prefix` from llm-proxy's Prometheus endpoint, each summed over its
 * labels (histogram buckets left out). Empty when the process serves no metrics.
 */
export async function readPrometheusSeries(origin: string, prefix: string): Promise<CacheCounters> {
  let response;
  try {
    response = await fetchText(`${origin}/metrics/prometheus`);
  } catch {
    return {};
  }
  if (response.status !== 200) return {};
  const counters: Record<string, number> = {};
  for (const line of response.body.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    // `name{labels} value [timestamp]`; label values may hold spaces, so the name ends at `{` or the first space.
    const nameEnd = line.search(/[{ ]/);
    if (nameEnd <= 0) continue;
    const labelsEnd = line.lastIndexOf('}');
    const rest = (labelsEnd === -1 ? line.slice(nameEnd) : line.slice(labelsEnd + 1)).trim();
    const value = Number(rest.split(' ', 1)[0]);
    const name = line.slice(0, nameEnd);
    // Histogram buckets summed over `le` would mean nothing.
    if (!Number.isFinite(value) || name.endsWith('_bucket')) continue;
    counters[name] = (counters[name] ?? 0) + value;
  }
  return counters;
}

/** What changed between two readings: counters as differences, gauges (entries, bytes) as the later value. */
export function counterChanges(before: CacheCounters, after: CacheCounters): CacheCounters {
  const changes: Record<string, number> = {};
  for (const [name, value] of Object.entries(after)) {
    changes[name] = name.endsWith('_total') ? value - (before[name] ?? 0) : value;
  }
  return changes;
}

/** The value of the first series whose name contains `word` and ends in `_total`, if the build exports one. */
export function counterNamed(counters: CacheCounters, word: string): number | undefined {
  const name = Object.keys(counters).find((key) => key.includes(word) && key.endsWith('_total'));
  return name === undefined ? undefined : counters[name];
}
