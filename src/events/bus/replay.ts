import type { DeadLetter } from './event-bus.js';
import { deadLetterKey, repliesOf, xadd } from './redis-stream-client.js';
import type { RedisCommand, RedisStreamClient } from './redis-stream-client.js';
import { DATA_FIELD, readEntries, readEvent } from './stream-entries.js';
import type { StreamEntry } from './stream-entries.js';

/** Entries read and written per round trip. */
const PAGE = 500;

/** Where a replay reads and writes. */
interface StreamTarget {
  /** The event stream (`REDIS_STREAM_KEY`); its dead letters are in `<key>:dead`. */
  readonly key: string;
  /** `MAXLEN ~` bound of the stream while re-adding, 0 for none. @default 10000 */
  readonly maxLen?: number;
}

/** Options of {@link replayStreamRange}. */
export interface ReplayRangeOptions extends StreamTarget {
  /** First stream id of the range, inclusive (`-` for the oldest). */
  readonly from: string;
  /** Last stream id of the range, inclusive (`+` for the newest at the start of the replay). */
  readonly to: string;
  /** Entries replayed at most. @default all of the range */
  readonly count?: number;
}

/** Options of {@link replayDeadLetters}. */
export interface ReplayDeadLettersOptions extends StreamTarget {
  /** Dead-letter ids (as {@link listDeadLetters} gives them) to replay. @default every dead letter */
  readonly ids?: readonly string[];
  /** Dead letters replayed at most when no `ids` are given. @default all */
  readonly limit?: number;
}

/** Options of {@link listDeadLetters}. */
export interface ListDeadLettersOptions {
  readonly key: string;
  /** First dead-letter id, inclusive. @default '-' (the oldest) */
  readonly from?: string;
  /** Dead letters listed at most. @default 100 */
  readonly limit?: number;
}

/**
 * Re-adds the events of the stream entries `from`…`to` as new entries, so that every consumer group receives
 * them again (receivers deduplicate on the event id); returns how many. Entries that are not events are skipped.
 */
export async function replayStreamRange(
  client: RedisStreamClient,
  options: ReplayRangeOptions,
): Promise<number> {
  // `+` would include the entries the replay itself adds and never end: the range stops at today's last id.
  const to = options.to === '+' ? await lastId(client, options.key) : options.to;
  if (to === undefined) return 0;
  let start = options.from;
  let left = options.count ?? Infinity;
  let replayed = 0;
  while (left > 0) {
    const page = readEntries(
      await client.call('xrange', options.key, start, to, 'COUNT', Math.min(PAGE, left)),
    );
    if (page.length === 0) break;
    left -= page.length;
    const commands = page.flatMap((entry) => readd(entry, options));
    if (commands.length > 0) repliesOf(await client.pipeline(commands).exec());
    replayed += commands.length;
    start = after(page);
  }
  return replayed;
}

/**
 * Moves dead letters back to the event stream — each re-added and removed from `<key>:dead` in one transaction
 * — and returns how many. Dead letters that hold no event (unparseable messages) stay where they are.
 */
export async function replayDeadLetters(
  client: RedisStreamClient,
  options: ReplayDeadLettersOptions,
): Promise<number> {
  const deadKey = deadLetterKey(options.key);
  let moved = 0;
  for await (const page of deadLetterPages(client, deadKey, options)) {
    const movable = page.filter((entry) => readEvent(entry.fields?.get(DATA_FIELD)) !== undefined);
    if (movable.length === 0) continue;
    const commands: RedisCommand[] = movable.flatMap((entry) => readd(entry, options));
    commands.push(['xdel', deadKey, ...movable.map(({ id }) => id)]);
    repliesOf(await client.multi(commands).exec());
    moved += movable.length;
  }
  return moved;
}

/** The dead letters of the stream `key` that hold an event, oldest first. */
export async function listDeadLetters(
  client: RedisStreamClient,
  options: ListDeadLettersOptions,
): Promise<DeadLetter[]> {
  const reply = await client.call(
    'xrange',
    deadLetterKey(options.key),
    options.from ?? '-',
    '+',
    'COUNT',
    options.limit ?? 100,
  );
  const letters: DeadLetter[] = [];
  for (const { id, fields } of readEntries(reply)) {
    const event = readEvent(fields?.get(DATA_FIELD));
    if (event === undefined) continue;
    const attempts = Number(fields?.get('attempts') ?? 0);
    letters.push({
      id,
      event,
      attempts: Number.isFinite(attempts) ? attempts : 0,
      reason: fields?.get('reason') ?? '',
    });
  }
  return letters;
}

/** Pages of dead-letter entries: the given ids, or the oldest ones up to `limit`. */
async function* deadLetterPages(
  client: RedisStreamClient,
  deadKey: string,
  options: ReplayDeadLettersOptions,
): AsyncGenerator<StreamEntry[]> {
  if (options.ids !== undefined) {
    for (let index = 0; index < options.ids.length; index += PAGE) {
      const ids = options.ids.slice(index, index + PAGE);
      const commands: RedisCommand[] = ids.map((id) => ['xrange', deadKey, id, id]);
      yield repliesOf(await client.pipeline(commands).exec()).flatMap(readEntries);
    }
    return;
  }
  let start = '-';
  let left = options.limit ?? Infinity;
  while (left > 0) {
    const page = readEntries(await client.call('xrange', deadKey, start, '+', 'COUNT', Math.min(PAGE, left)));
    if (page.length === 0) return;
    left -= page.length;
    start = after(page);
    yield page;
  }
}

/** The command that adds an entry's event to the stream again; none when the entry holds no event. */
function readd(entry: StreamEntry, target: StreamTarget): RedisCommand[] {
  const data = entry.fields?.get(DATA_FIELD);
  if (readEvent(data) === undefined || data === undefined) return [];
  // A dead letter names the entry it came from; a stream entry is its own origin.
  const origin = entry.fields?.get('originalId') ?? entry.id;
  return [xadd(target.key, target.maxLen ?? 10_000, [DATA_FIELD, data, 'replayOf', origin])];
}

async function lastId(client: RedisStreamClient, key: string): Promise<string | undefined> {
  const [last] = readEntries(await client.call('xrevrange', key, '+', '-', 'COUNT', 1));
  return last?.id;
}

/** The exclusive start of the page after `page` (which is not empty). */
function after(page: readonly StreamEntry[]): string {
  return `(${page.at(-1)?.id ?? '-'}`;
}
