import { parseArgs } from 'node:util';

import { integerOption, listOption } from './cli-options.js';

/** The legs of the event-delivery benchmark: two publishers, and the file backend behind two buses. */
export const EVENT_DELIVERY_LEGS = ['publish-memory', 'publish-redis', 'file-memory', 'file-redis'] as const;

/** One leg of the event-delivery benchmark. */
export type EventDeliveryLeg = (typeof EVENT_DELIVERY_LEGS)[number];

/** Everything `benchmarks/event-delivery.ts` can be told. */
export interface EventDeliveryOptions {
  /** Events per leg; a multiple of the dispatcher's batch size (100). @default 20000 */
  readonly events: number;
  /** Measured runs of every leg; the median is reported. @default 3 */
  readonly rounds: number;
  /** @default every leg */
  readonly legs: readonly EventDeliveryLeg[];
  /** @default LLM_PROXY_BENCH_REDIS_URL, else redis://127.0.0.1:6379 */
  readonly redisUrl: string;
  /** Events per second the file backend must deliver. @default 20000 */
  readonly target: number;
  readonly noFail: boolean;
  /** @default 'benchmarks/results/event-delivery-latest.json' */
  readonly out: string;
}

/** `DISPATCHER_BATCH_SIZE`'s default: a count that is a multiple of it leaves no batch waiting for its timer. */
export const DISPATCHER_BATCH = 100;

const DEFAULT_REDIS_URL = process.env.LLM_PROXY_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The usage text. */
export const EVENT_DELIVERY_USAGE = `Usage: npx tsx benchmarks/event-delivery.ts [options]   (npm run bench:event-delivery -- [options])

  --events <n>       events per leg, a multiple of ${String(DISPATCHER_BATCH)} (default 20000)
  --rounds <n>       measured runs of every leg after one unmeasured warm-up run; medians reported (default 3)
  --legs <list>      ${EVENT_DELIVERY_LEGS.join(',')} (default all):
                       publish-*: events/s a publisher takes until it reports them all written
                       file-*:    events/s the dispatcher delivers from a filled bus to the file backend,
                                  until every event is in the file and acknowledged
  --redis-url <url>  Redis of the *-redis legs (default $LLM_PROXY_BENCH_REDIS_URL or redis://127.0.0.1:6379);
                     a stream key of this run alone, deleted at the end
  --target <n>       events/s the file backend must deliver (default 20000)
  --no-fail          report a missed target but exit 0
  --out <file>       results file (default benchmarks/results/event-delivery-latest.json)
  --help

Exit 0: every file leg met the target; 1: one missed it; 2: the run failed (Redis unreachable, events lost,
a line missing or wrong in the file).`;

/** Parses the command line; throws with a one-line message on invalid input. */
export function parseEventDeliveryOptions(argv: readonly string[]): EventDeliveryOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      events: { type: 'string', default: '20000' },
      rounds: { type: 'string', default: '3' },
      legs: { type: 'string', default: EVENT_DELIVERY_LEGS.join(',') },
      'redis-url': { type: 'string', default: DEFAULT_REDIS_URL },
      target: { type: 'string', default: '20000' },
      'no-fail': { type: 'boolean', default: false },
      out: { type: 'string', default: 'benchmarks/results/event-delivery-latest.json' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const events = integerOption('events', values.events, DISPATCHER_BATCH, 1_000_000);
  if (events % DISPATCHER_BATCH !== 0) {
    throw new Error(`--events: expected a multiple of ${String(DISPATCHER_BATCH)}, got ${String(events)}`);
  }
  const legs = listOption('legs', values.legs, EVENT_DELIVERY_LEGS);
  if (legs.length === 0) throw new Error(`--legs: name at least one of ${EVENT_DELIVERY_LEGS.join(', ')}`);
  return {
    events,
    rounds: integerOption('rounds', values.rounds, 1, 20),
    legs,
    redisUrl: values['redis-url'],
    target: integerOption('target', values.target, 1),
    noFail: values['no-fail'],
    out: values.out,
  };
}
