/**
 * Measures llm-proxy's response cache against the minimal Node pass-through proxy, in one run on this machine:
 * a memory hit and a Redis hit (throughput and sequential latency) beside a bare node:http answer, and a miss
 * with capture on against the same miss with capture off (the upstream says no-store) and with the cache off:
 *
 *   npm run bench:cache -- [--duration 10] [--rounds 1] [--legs memory,redis,capture] … (--help for all options)
 *
 * Before measuring, every process must relay the upstream unchanged and each cache-on process must store an
 * opted-in answer and serve it again as a hit. Prints a report, writes benchmarks/results/cache-latest.json and
 * exits 1 when a target is missed, 2 when the run itself failed (including a build that does not cache).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { openBenchRedis, safeUrl } from './lib/bench-redis.js';
import type { BenchRedis } from './lib/bench-redis.js';
import { runBenchmarkMain } from './lib/bench-main.js';
import { evaluateCacheGoals } from './lib/cache-goals.js';
import { runCacheLatency } from './lib/cache-latency.js';
import type { CacheLatencyGroup } from './lib/cache-latency.js';
import { readCacheCounters } from './lib/cache-metrics.js';
import type { CacheCounters } from './lib/cache-metrics.js';
import { CACHE_USAGE, parseCacheRunOptions } from './lib/cache-options.js';
import type { CacheRunOptions } from './lib/cache-options.js';
import { formatCacheReport } from './lib/cache-report.js';
import type { CacheBenchResults } from './lib/cache-results.js';
import { CacheNotServingError, assertCacheServes, primeEntry } from './lib/cache-sanity.js';
import { HIT_SCENARIO, missScenario, uniqueBodies } from './lib/cache-scenarios.js';
import { LLM_PROXY_CACHE_TARGETS, startCacheTargets, targetsOfLegs } from './lib/cache-targets.js';
import type { CacheTargetName } from './lib/cache-targets.js';
import { fillStore, runCacheThroughput } from './lib/cache-throughput.js';
import type { CacheLegGroup, CacheThroughputGroup, StoreFill } from './lib/cache-throughput.js';
import { describeMachine, loadAverages } from './lib/machine.js';
import { progress } from './lib/progress.js';
import { startRssSampler } from './lib/rss-sampler.js';
import type { RssSummary } from './lib/rss-sampler.js';
import { assertTargetsRelayUpstream } from './lib/sanity-check.js';
import type { Target } from './lib/scenarios.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Compiling llm-proxy and starting up to four processes of it. */
const STARTUP_BUDGET_S = 240;
/** The longest the capture-on store is filled before the legs: enough for 16 MiB at a few hundred misses a second. */
const STORE_FILL_MAX_SECONDS = 60;

process.exitCode = await runBenchmarkMain(
  {
    name: 'cache benchmark',
    usage: CACHE_USAGE,
    workDirPrefix: 'llm-proxy-bench-cache-',
    parse: parseCacheRunOptions,
    timeBudgetSeconds,
    measure: cacheBenchmark,
    report: formatCacheReport,
    keepWorkDir: (options, workDir) =>
      options.cpuProf ? `CPU profiles (.cpuprofile) kept in ${join(workDir, 'profiles')}` : undefined,
  },
  process.argv.slice(2),
);

async function cacheBenchmark(options: CacheRunOptions, workDir: string): Promise<CacheBenchResults> {
  const date = new Date().toISOString();
  const loadAverageAtStart = loadAverages();
  const redis = options.legs.includes('redis') ? await openBenchRedis(options.redisUrl) : undefined;
  let redisClosed = false;
  try {
    const started = await startCacheTargets(options, workDir, REPO_ROOT, redis, progress);
    const { direct, byName } = started;
    const present = (names: readonly CacheTargetName[]): Target<CacheTargetName>[] =>
      names.flatMap((name) => byName[name] ?? []);
    const proxies = present(targetsOfLegs(options.legs));
    progress('checking that every proxy relays the upstream unchanged');
    await assertTargetsRelayUpstream(direct, proxies);
    progress('checking that llm-proxy stores an opted-in answer and serves it again');
    const bodies = uniqueBodies();
    const sanity = await assertCacheServes(
      direct,
      present(['cache-memory', 'cache-redis', 'capture-on']),
      present(['capture-off']),
      bodies,
    );

    for (const target of present(['cache-memory', 'cache-redis']))
      await primeEntry(target, HIT_SCENARIO.body);
    if (redis !== undefined && (await redis.countKeys()) === 0) {
      // A process that answers hits with nothing in Redis is measuring some other store.
      throw new CacheNotServingError(
        `llm-proxy cache-redis serves hits but Redis holds no key under its REDIS_CACHE_KEY_PREFIX ` +
          `(${redis.keyPrefix}): it does not use the Redis backend`,
      );
    }

    const groups: CacheLegGroup[] = [];
    // The upstream itself answers the hit request too: a bare node:http server answering a prepared body, the
    // ceiling of any Node server's answer on this machine, in the same round.
    const hitTargets = present(['minimal', 'direct', 'cache-memory', 'cache-redis']);
    if (hitTargets.length > 1) {
      groups.push({
        scenario: HIT_SCENARIO,
        targets: hitTargets,
        expect: { 'cache-memory': 'hit', 'cache-redis': 'hit' },
      });
    }
    if (options.legs.includes('capture')) {
      groups.push({
        scenario: missScenario(bodies),
        // Capture off, then on, on one process: the same lookup and miss, the answer kept or not; then the
        // cache switched off altogether, for what the whole cache costs a miss.
        targets: present(['no-capture', 'capture-on', 'capture-off']),
        expect: { 'no-capture': 'uncaptured', 'capture-on': 'miss', 'capture-off': 'uncached' },
      });
    }
    const isLlmProxy = (name: CacheTargetName): boolean =>
      (LLM_PROXY_CACHE_TARGETS as readonly string[]).includes(name);

    const captureOn = byName['capture-on'];
    const missGroup = groups.find((group) => group.scenario.name === 'miss');
    let storeFill: StoreFill | null = null;
    if (captureOn !== undefined && missGroup !== undefined && options.phases.includes('throughput')) {
      progress(
        `filling the capture-on store (HTTP_CACHE_MAX_BYTES=${options.captureMaxBytes}) until it evicts`,
      );
      storeFill = await fillStore(captureOn, missGroup.scenario, {
        connections: options.connections,
        maxSeconds: STORE_FILL_MAX_SECONDS,
      });
      progress(
        storeFill.full
          ? `the store is full after ${storeFill.requests} misses in ${storeFill.seconds} s`
          : `the store did not evict within ${storeFill.seconds} s (${storeFill.requests} misses)`,
      );
    }

    const rss: Partial<Record<CacheTargetName, RssSummary>> = {};
    let throughput: CacheThroughputGroup[] = [];
    if (options.phases.includes('throughput')) {
      const samplers = proxies.map((target) => [target.name, startRssSampler(target.pid)] as const);
      throughput = await runCacheThroughput(groups, {
        connections: options.connections,
        durationSeconds: options.durationSeconds,
        warmupSeconds: options.warmupSeconds,
        rounds: options.rounds,
        readsMetrics: isLlmProxy,
        ...(redis !== undefined && { helperCpuSeconds: { 'cache-redis': () => redis.cpuSeconds() } }),
        onLeg: progress,
      });
      for (const [name, sampler] of samplers) rss[name] = sampler.stop();
    }
    const latency: CacheLatencyGroup[] = options.phases.includes('latency')
      ? await runCacheLatency(
          // The upstream itself, for scale: what a request costs with no proxy at all.
          groups.map((group) =>
            group.scenario.name === 'hit' && !group.targets.includes(direct)
              ? { ...group, extra: [direct] }
              : group,
          ),
          {
            requests: options.latencyRequests,
            warmup: options.latencyWarmup,
            rounds: options.rounds,
            onLeg: progress,
          },
        )
      : [];

    const cacheAtEnd: Partial<Record<CacheTargetName, CacheCounters>> = {};
    for (const target of proxies) {
      if (isLlmProxy(target.name)) cacheAtEnd[target.name] = await readCacheCounters(target.origin);
    }
    const redisSummary = redis === undefined ? null : await cleanUpRedis(redis);
    redisClosed = true;
    const verdicts = evaluateCacheGoals(throughput, latency);
    return {
      date,
      // A Redis URL may carry a password: the results file never does.
      command: `npm run bench:cache -- ${process.argv
        .slice(2)
        .map((arg) => arg.replace(/rediss?:\/\/\S+/g, (url) => safeUrl(url)))
        .join(' ')}`
        .trim()
        .replace(/ --$/, ''),
      machine: describeMachine(loadAverageAtStart),
      options: { ...options, redisUrl: safeUrl(options.redisUrl) },
      llmProxy: started.runner,
      settings: started.settings,
      sanity,
      throughput,
      latency,
      rss,
      cacheAtEnd,
      storeFill,
      redis: redisSummary,
      targets: verdicts,
      passed: verdicts.every((verdict) => verdict.status !== 'FAIL'),
    };
  } finally {
    // Also when the run failed; a run stopped by a signal leaves its keys to their TTL (600 s).
    if (redis !== undefined && !redisClosed) await redis.deleteKeysAndClose().catch(() => 0);
  }
}

async function cleanUpRedis(redis: BenchRedis): Promise<NonNullable<CacheBenchResults['redis']>> {
  const keysAtEnd = await redis.countKeys();
  const deleted = await redis.deleteKeysAndClose();
  return { keyPrefix: redis.keyPrefix, keysAtEnd, deleted };
}

/** Upper bound of a run's duration: startup plus twice the planned measuring time. */
function timeBudgetSeconds(options: CacheRunOptions): number {
  // Legs per round: every process once, the upstream once more in the hit group, no-capture beside capture-on.
  const processes =
    targetsOfLegs(options.legs).length +
    (options.legs.includes('memory') || options.legs.includes('redis') ? 1 : 0) +
    (options.legs.includes('capture') ? 1 : 0);
  // Every process is loaded once per round in throughput; the hit group's latency also times the upstream.
  const throughput = options.phases.includes('throughput')
    ? options.rounds * processes * (options.warmupSeconds + options.durationSeconds + 1)
    : 0;
  // Sequential requests take well under 5 ms each on loopback; more means something is badly wrong.
  const latency = options.phases.includes('latency')
    ? options.rounds * (processes + 1) * (options.latencyRequests + options.latencyWarmup) * 0.005
    : 0;
  return STARTUP_BUDGET_S + STORE_FILL_MAX_SECONDS + 2 * (throughput + latency);
}
