import { deadLetterKey, replayDeadLetters, replayStreamRange } from '../../events/index.js';
import type { RedisStreamClient } from '../../events/index.js';
import { createLogger } from '../../server/index.js';
import { CliError, errorCodeOf } from '../shared/cli-error.js';
import { assertEnvFileExists, commandSources } from '../shared/config-sources.js';
import type { ReplayRequest } from './dispatcher-command.js';
import { resolveReplayConfig } from './dispatcher-config.js';
import { openStreamRedis } from './stream-redis.js';

/** Entries counted per round trip by a dry run. */
const COUNT_PAGE = 1000;

/** What `llm-proxy dispatcher replay` was asked. */
export interface RunReplayOptions {
  readonly envFile: string;
  readonly envFileExplicit?: boolean;
  readonly flags: Readonly<Record<string, string | undefined>>;
  readonly request: ReplayRequest;
  /** Count only. */
  readonly dryRun: boolean;
}

/**
 * Re-adds events to the stream (`REDIS_STREAM_KEY`): the entries of a range, or the dead letters — moved back,
 * so that they leave `<key>:dead` — and prints how many; a dry run prints how many it would.
 */
export async function runReplay(options: RunReplayOptions): Promise<void> {
  assertEnvFileExists(options.envFile, options.envFileExplicit === true);
  const config = resolveReplayConfig(commandSources(options.envFile, options.flags));
  const log = await createLogger(config.log);
  const redis = await openStreamRedis(config.events.redisUrl ?? '', log.logger);
  const target = { key: config.events.streamKey, maxLen: config.events.streamMaxLen };
  const { request } = options;
  try {
    if (request.kind === 'range') {
      const what = `entries ${request.from} … ${request.to} of ${target.key}`;
      if (options.dryRun) {
        const count = await countRange(redis.client, target.key, request.from, request.to);
        console.log(`dry run: would replay up to ${plural(count, 'event')} (${what}); nothing changed`);
      } else {
        const count = await replayStreamRange(redis.client, { ...target, ...request });
        console.log(`replayed ${plural(count, 'event')} (${what}) as new entries of ${target.key}`);
      }
      return;
    }
    const deadKey = deadLetterKey(target.key);
    if (options.dryRun) {
      const count = await countDeadLetters(redis.client, deadKey, request.ids);
      console.log(`dry run: would move ${plural(count, 'dead letter')} of ${deadKey} back; nothing changed`);
    } else {
      const count = await replayDeadLetters(redis.client, {
        ...target,
        ...(request.ids !== undefined && { ids: request.ids }),
      });
      console.log(`moved ${plural(count, 'dead letter')} from ${deadKey} back to ${target.key}`);
    }
  } catch (error) {
    throw new CliError(`replay failed: ${errorCodeOf(error)}`, { cause: error });
  } finally {
    await redis.close();
    await log.close();
  }
}

/** How many entries the range holds (each an event, unless something else wrote to the stream). */
async function countRange(client: RedisStreamClient, key: string, from: string, to: string): Promise<number> {
  let count = 0;
  let start = from;
  for (;;) {
    const ids = entryIds(await client.call('xrange', key, start, to, 'COUNT', COUNT_PAGE));
    count += ids.length;
    const last = ids.at(-1);
    if (last === undefined || ids.length < COUNT_PAGE) return count;
    start = `(${last}`;
  }
}

/** How many of the named dead letters exist, or how many there are. */
async function countDeadLetters(
  client: RedisStreamClient,
  deadKey: string,
  ids: readonly string[] | undefined,
): Promise<number> {
  if (ids === undefined) return Number(await client.call('xlen', deadKey));
  let count = 0;
  for (const id of new Set(ids)) count += entryIds(await client.call('xrange', deadKey, id, id)).length;
  return count;
}

/** The ids of an XRANGE reply (`[[id, [field, value, …]], …]`). */
function entryIds(reply: unknown): string[] {
  if (!Array.isArray(reply)) return [];
  return reply.flatMap((entry: unknown) =>
    Array.isArray(entry) && typeof entry[0] === 'string' ? [entry[0]] : [],
  );
}

function plural(count: number, noun: string): string {
  return `${String(count)} ${noun}${count === 1 ? '' : 's'}`;
}
