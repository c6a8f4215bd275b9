/** A command as a pipeline or transaction takes it: name first, then its arguments. */
export type RedisCommand = [name: string, ...args: (string | number)[]];

/** What a pipeline or a transaction answers: per command its error or its reply (null when it was discarded). */
export type RedisBatchReply = [error: Error | null, reply: unknown][] | null;

/** A connection that sends raw commands (the subset of an ioredis client the bus uses). */
export interface RedisStreamConnection {
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  disconnect(): void;
}

/**
 * The commands of the shared ioredis client the Redis Streams bus uses, typed by that subset: the client is
 * created once in the composition root and injected.
 */
export interface RedisStreamClient {
  /** ioredis' connection state; the publisher sends only when it is `ready`. */
  readonly status: string;
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
  pipeline(commands: RedisCommand[]): { exec(): Promise<RedisBatchReply> };
  multi(commands: RedisCommand[]): { exec(): Promise<RedisBatchReply> };
  /** A new connection with the same options, for the blocking reads of a source. */
  duplicate(): RedisStreamConnection;
  on(event: 'ready', listener: () => void): unknown;
  off(event: 'ready', listener: () => void): unknown;
}

/** The stream that holds the dead letters of `streamKey`. */
export function deadLetterKey(streamKey: string): string {
  return `${streamKey}:dead`;
}

/**
 * `XADD key [MAXLEN ~ n] * field value …`. The `~` lets Redis trim whole macro nodes only, which costs next to
 * nothing, so the stream may hold a little more than `maxLen`; 0 leaves the stream unbounded.
 */
export function xadd(key: string, maxLen: number, fields: readonly string[]): RedisCommand {
  return maxLen > 0 ? ['xadd', key, 'MAXLEN', '~', maxLen, '*', ...fields] : ['xadd', key, '*', ...fields];
}

/** Whether every command of a pipeline or transaction succeeded. */
export function allSucceeded(reply: RedisBatchReply): boolean {
  return reply !== null && reply.every(([error]) => error === null);
}

/** The first error of a pipeline or transaction, thrown; its replies otherwise. */
export function repliesOf(reply: RedisBatchReply): unknown[] {
  if (reply === null) throw new Error('redis discarded the transaction');
  return reply.map(([error, value]) => {
    if (error !== null) throw error;
    return value;
  });
}
