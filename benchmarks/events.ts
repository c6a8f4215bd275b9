/**
 * Measures what request events cost llm-proxy, in one run on this machine: events off against events on with
 * the memory bus (read by the in-process JSONL file, FILE_EVENT_LOG) and with Redis Streams (publishing only),
 * each a process of its own, in throughput and sequential latency, json and sse:
 *
 *   npm run bench:events -- [--duration 8] [--rounds 2] [--legs memory,redis] … (--help for all options)
 *
 * Before measuring, every process must relay the upstream unchanged and each events-on process must deliver
 * its events; after it, the JSONL file and the stream must hold at least one event per measured request and
 * events off none. Prints a report, writes benchmarks/results/events-latest.json and exits 1 when a target is
 * missed, 2 when the run itself failed (including a build that does not publish).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { runBenchmarkMain } from './lib/bench-main.js';
import { safeUrl } from './lib/bench-redis.js';
import { evaluateEventsGoals } from './lib/events-goals.js';
import { runEventsLatency } from './lib/events-latency.js';
import type { EventsLatencyGroup } from './lib/events-latency.js';
import { EVENTS_USAGE, parseEventsRunOptions } from './lib/events-options.js';
import type { EventsRunOptions } from './lib/events-options.js';
import { openEventsRedis } from './lib/events-redis.js';
import { formatEventsReport } from './lib/events-report.js';
import type { EventsBenchResults } from './lib/events-results.js';
import { assertEventsDelivered } from './lib/events-sanity.js';
import { startEventsTargets, targetsOfLegs } from './lib/events-targets.js';
import type { EventsTargetName } from './lib/events-targets.js';
import { runEventsThroughput } from './lib/events-throughput.js';
import type { EventsThroughputGroup } from './lib/events-throughput.js';
import { describeMachine, loadAverages } from './lib/machine.js';
import { progress } from './lib/progress.js';
import { startRssSampler } from './lib/rss-sampler.js';
import type { RssSummary } from './lib/rss-sampler.js';
import { assertTargetsRelayUpstream } from './lib/sanity-check.js';
import { SCENARIOS } from './lib/scenarios.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Compiling llm-proxy and starting three processes of it. */
const STARTUP_BUDGET_S = 240;
/** Requests of the relay check per process: both scenarios and `GET /v1/models`. */
const RELAY_CHECK_REQUESTS = SCENARIOS.length + 1;

process.exitCode = await runBenchmarkMain(
  {
    name: 'events benchmark',
    usage: EVENTS_USAGE,
    workDirPrefix: 'llm-proxy-bench-events-',
    parse: parseEventsRunOptions,
    timeBudgetSeconds,
    measure: eventsBenchmark,
    report: formatEventsReport,
    keepWorkDir: (options, workDir) =>
      options.cpuProf ? `CPU profiles (.cpuprofile) kept in ${join(workDir, 'profiles')}` : undefined,
  },
  process.argv.slice(2),
);

async function eventsBenchmark(options: EventsRunOptions, workDir: string): Promise<EventsBenchResults> {
  const date = new Date().toISOString();
  const loadAverageAtStart = loadAverages();
  const redis = options.legs.includes('redis') ? await openEventsRedis(options.redisUrl) : undefined;
  let redisClosed = false;
  try {
    const started = await startEventsTargets(options, workDir, REPO_ROOT, redis, progress);
    const { direct, processes } = started;
    const targets = processes.map((entry) => entry.target);
    const counts = Object.fromEntries(
      targetsOfLegs(options.legs).map((name) => [name, { served: 0, measured: 0 }]),
    ) as Record<EventsTargetName, { served: number; measured: number }>;
    const countAll = (served: number, measured: number): void => {
      for (const entry of Object.values(counts)) {
        entry.served += served;
        entry.measured += measured;
      }
    };

    progress('checking that every proxy relays the upstream unchanged');
    await assertTargetsRelayUpstream(direct, targets);
    countAll(RELAY_CHECK_REQUESTS, 0);
    progress('checking that the events-on processes deliver their events');
    // The two chat completions at least (whether GET /v1/models is an event is the proxy's business).
    await assertEventsDelivered(processes, redis, counts, () => SCENARIOS.length);

    const rss: Partial<Record<EventsTargetName, RssSummary>> = {};
    let throughput: EventsThroughputGroup[] = [];
    if (options.phases.includes('throughput')) {
      const samplers = targets.map((target) => [target.name, startRssSampler(target.pid)] as const);
      throughput = await runEventsThroughput(targets, {
        connections: options.connections,
        durationSeconds: options.durationSeconds,
        warmupSeconds: options.warmupSeconds,
        rounds: options.rounds,
        scenarios: SCENARIOS,
        ...(redis !== undefined && { helperCpuSeconds: { 'events-redis': () => redis.cpuSeconds() } }),
        onLeg: progress,
      });
      for (const [name, sampler] of samplers) rss[name] = sampler.stop();
      for (const row of throughput.flatMap((group) => group.rows)) {
        counts[row.target].served += row.servedRequests;
        counts[row.target].measured += row.requests;
      }
    }
    let latency: EventsLatencyGroup[] = [];
    if (options.phases.includes('latency')) {
      latency = await runEventsLatency(targets, {
        requests: options.latencyRequests,
        warmup: options.latencyWarmup,
        rounds: options.rounds,
        scenarios: SCENARIOS,
        onLeg: progress,
      });
      const perTarget = options.rounds * SCENARIOS.length;
      countAll(
        perTarget * (options.latencyRequests + options.latencyWarmup),
        perTarget * options.latencyRequests,
      );
    }

    progress('checking that every measured request was delivered as an event');
    const delivery = await assertEventsDelivered(processes, redis, counts, (entry) => entry.measured);
    const deleted = redis === undefined ? 0 : await redis.deleteStreamAndClose();
    redisClosed = true;
    const verdicts = evaluateEventsGoals(
      SCENARIOS.map((scenario) => scenario.name),
      throughput,
      latency,
    );
    return {
      date,
      // A Redis URL may carry a password: the results file never does.
      command: `npm run bench:events -- ${process.argv
        .slice(2)
        .map((arg) => arg.replace(/rediss?:\/\/\S+/g, (url) => safeUrl(url)))
        .join(' ')}`
        .trim()
        .replace(/ --$/, ''),
      machine: describeMachine(loadAverageAtStart),
      options: { ...options, redisUrl: safeUrl(options.redisUrl) },
      llmProxy: started.runner,
      settings: started.settings,
      throughput,
      latency,
      rss,
      delivery,
      redis: redis === undefined ? null : { streamKey: redis.streamKey, deleted },
      targets: verdicts,
      passed: verdicts.every((verdict) => verdict.status !== 'FAIL'),
    };
  } finally {
    // Also when the run failed; a run stopped by a signal leaves its stream to its TTL (an hour).
    if (redis !== undefined && !redisClosed) await redis.deleteStreamAndClose().catch(() => 0);
  }
}

/** Upper bound of a run's duration: startup plus twice the planned measuring time. */
function timeBudgetSeconds(options: EventsRunOptions): number {
  const processes = targetsOfLegs(options.legs).length;
  const throughput = options.phases.includes('throughput')
    ? options.rounds * SCENARIOS.length * processes * (options.warmupSeconds + options.durationSeconds + 1)
    : 0;
  // Sequential requests take well under 5 ms each on loopback; more means something is badly wrong.
  const latency = options.phases.includes('latency')
    ? options.rounds *
      SCENARIOS.length *
      processes *
      (options.latencyRequests + options.latencyWarmup) *
      0.005
    : 0;
  // Twice the wait for the events to reach the JSONL file and the stream.
  return STARTUP_BUDGET_S + 30 + 2 * (throughput + latency);
}
