/**
 * Measures the event path in one process, in one run on this machine: events/s the memory and the Redis Streams
 * publishers take until they report them written, and events/s the file backend delivers — the dispatcher of
 * `llm-proxy dispatcher --service file`, from a filled bus through the transformer into the JSONL file — until
 * every event is in the file and acknowledged:
 *
 *   npm run bench:event-delivery -- [--events 50000] [--rounds 3] [--legs …] (--help for all options)
 *
 * Prints a report, writes benchmarks/results/event-delivery-latest.json and exits 1 when the file backend
 * delivers fewer than the target's events/s, 2 when the run itself failed (an event lost, dropped, spooled,
 * dead-lettered or missing from the file). The run's Redis stream is deleted at the end, also after a failure.
 */
import { progress } from './lib/progress.js';
import { runBenchmarkMain } from './lib/bench-main.js';
import { benchmarkEvents, eventShape } from './lib/event-delivery-events.js';
import { fileMemory, fileRedis, publishMemory, publishRedis } from './lib/event-delivery-legs.js';
import type { LegContext, LegRun } from './lib/event-delivery-legs.js';
import { EVENT_DELIVERY_USAGE, parseEventDeliveryOptions } from './lib/event-delivery-options.js';
import type { EventDeliveryLeg, EventDeliveryOptions } from './lib/event-delivery-options.js';
import { openEventDeliveryRedis } from './lib/event-delivery-redis.js';
import type { EventDeliveryRedis } from './lib/event-delivery-redis.js';
import {
  ORIGINAL_EVENTS_PER_SECOND,
  deliveryVerdicts,
  formatEventDeliveryReport,
  summarizeLeg,
} from './lib/event-delivery-report.js';
import type { EventDeliveryResults, LegSummary } from './lib/event-delivery-report.js';
import { describeMachine, loadAverages } from './lib/machine.js';

/** Events of the unmeasured warm-up run of each leg (enough for V8 to optimise the hot path). */
const WARMUP_EVENTS = 5000;
/** Per leg and run, generously: a slow leg at a few hundred events/s still ends within it. */
const SECONDS_PER_RUN = 330;

const LEGS: Readonly<Record<EventDeliveryLeg, (context: LegContext) => Promise<LegRun>>> = {
  'publish-memory': publishMemory,
  'publish-redis': publishRedis,
  'file-memory': fileMemory,
  'file-redis': fileRedis,
};

process.exitCode = await runBenchmarkMain(
  {
    name: 'event-delivery benchmark',
    usage: EVENT_DELIVERY_USAGE,
    workDirPrefix: 'llm-proxy-bench-events-',
    parse: parseEventDeliveryOptions,
    timeBudgetSeconds: (options) => options.legs.length * (options.rounds + 1) * SECONDS_PER_RUN,
    measure: eventDeliveryBenchmark,
    report: formatEventDeliveryReport,
  },
  process.argv.slice(2),
);

async function eventDeliveryBenchmark(
  options: EventDeliveryOptions,
  workDir: string,
): Promise<EventDeliveryResults> {
  const date = new Date().toISOString();
  const loadAverageAtStart = loadAverages();
  const needsRedis = options.legs.some((leg) => leg.endsWith('-redis'));
  const redis: EventDeliveryRedis | undefined = needsRedis
    ? await openEventDeliveryRedis(options.redisUrl)
    : undefined;
  try {
    progress(`building ${String(options.events)} events`);
    const events = benchmarkEvents(options.events);
    const lineOf = (index: number): string => JSON.stringify(events[index]);
    const summaries: LegSummary[] = [];
    for (const leg of options.legs) {
      const runs: LegRun[] = [];
      for (let round = 0; round <= options.rounds; round += 1) {
        const warmup = round === 0;
        const context: LegContext = {
          events: warmup ? events.slice(0, Math.min(WARMUP_EVENTS, events.length)) : events,
          lineOf,
          workDir,
          redis,
          redisUrl: options.redisUrl,
          runName: `${leg}-${String(round)}`,
        };
        progress(`${leg}: ${warmup ? 'warm-up' : `run ${String(round)} of ${String(options.rounds)}`}`);
        const run = await LEGS[leg](context);
        progress(`${leg}: ${Math.round(run.eventsPerSecond).toLocaleString('en-US')} events/s`);
        if (!warmup) runs.push(run);
      }
      summaries.push(summarizeLeg(leg, runs));
    }
    const verdicts = deliveryVerdicts(summaries, options.target);
    return {
      date,
      machine: describeMachine(loadAverageAtStart),
      options,
      shape: eventShape(),
      legs: summaries,
      verdicts,
      originalEventsPerSecond: ORIGINAL_EVENTS_PER_SECOND,
      passed: verdicts.every((verdict) => verdict.passed),
    };
  } finally {
    await redis?.deleteAndClose();
  }
}
