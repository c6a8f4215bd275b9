import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';

import { createEventBus, fileEventRecord } from '../../src/events/index.js';
import type { ProxyEvent } from '../../src/events/index.js';
import { collect as collectDeliveries } from '../events/bus/event-bus-contract.js';
import { proxyEvent } from '../events/event-fixtures.js';
import { freePort } from '../helpers/network.js';
import { TEST_REDIS_URL } from '../helpers/service-urls.js';
import { collect, runCli, spawnCli, tempDirPerTest } from './cli-harness.js';
import type { CliResult } from './cli-harness.js';

const newDir = tempDirPerTest();
const silent = pino({ level: 'silent' });

describe('llm-proxy dispatcher: refusals', () => {
  it('lists every configuration problem at once: memory bus, missing endpoint, bad batch size', async () => {
    const result = await runCli(['dispatcher', '--batch-size', '0'], { cwd: newDir() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('invalid configuration');
    expect(result.stderr).toContain('DISPATCHER_BATCH_SIZE');
    expect(result.stderr).toContain('DISPATCHER_ENDPOINT: required for DISPATCHER_SERVICE=file');
    expect(result.stderr).toContain('LLM_PROXY_EVENT_BUS: must be redis-streams');
    // It says what to do instead.
    expect(result.stderr).toContain('FILE_EVENT_LOG');
    expect(result.stderr).toContain('DISPATCHER_IN_PROCESS');
  });

  it('names what an HTTP backend lacks, and a redis-streams bus without a Redis', async () => {
    const result = await runCli(['dispatcher', '--service', 'lunary', '--endpoint', 'ftp://nope'], {
      cwd: newDir(),
      env: { LLM_PROXY_EVENT_BUS: 'redis-streams' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('LLM_PROXY_EVENT_BUS: redis-streams needs REDIS_URL or REDIS_ADDR');
    expect(result.stderr).toContain('LLM_PROXY_API_KEY: required for DISPATCHER_SERVICE=lunary');
    expect(result.stderr).toContain('DISPATCHER_ENDPOINT: must be an http:// or https:// URL');
  });

  it('never repeats the API key in what it reports', async () => {
    const result = await runCli(
      ['dispatcher', '--service', 'helicone', '--api-key', 'sk-helicone-never-shown', '--endpoint', 'x'],
      { cwd: newDir() },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DISPATCHER_ENDPOINT: must be an http:// or https:// URL');
    expect(result.stderr).not.toContain('LLM_PROXY_API_KEY');
    expect(result.stdout + result.stderr).not.toContain('sk-helicone-never-shown');
  });

  it('refuses --detach and says how to run it in the background instead', async () => {
    const result = await runCli(['dispatcher', '--detach'], { cwd: newDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--detach is not supported');
    expect(result.stderr).toContain('nohup llm-proxy dispatcher');
  });

  it('replay needs a range or --dead-letters', async () => {
    const result = await runCli(['dispatcher', 'replay'], { cwd: newDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--from <id> --to <id>');
  });
});

/** Connections and stream keys of this file, closed and deleted at its end. */
const connections: Redis[] = [];
const keys: string[] = [];

async function redisClient(): Promise<Redis> {
  const client = new Redis(TEST_REDIS_URL);
  client.on('error', () => undefined);
  connections.push(client);
  if (client.status !== 'ready') await once(client, 'ready');
  return client;
}

/** A stream key and consumer group of one test. */
function uniqueStream(): { key: string; group: string } {
  const suffix = randomBytes(6).toString('hex');
  const key = `llm-proxy-test:dispatcher:${suffix}`;
  keys.push(key, `${key}:dead`);
  return { key, group: `dispatchers-${suffix}` };
}

/** Publishes events through the Redis Streams publisher, as the proxy does, and waits until they are written. */
async function publish(client: Redis, key: string, dir: string, published: readonly ProxyEvent[]) {
  const bus = createEventBus(
    {
      type: 'redis-streams',
      streamKey: key,
      maxLen: 0,
      batchSize: 500,
      bufferSize: published.length + 1,
      spoolPath: join(dir, 'spool.jsonl'),
    },
    { logger: silent, redis: client },
  );
  for (const event of published) bus.publisher.publish(event);
  await bus.close();
  expect(bus.publisher.stats()).toMatchObject({ published: published.length, dropped: 0, spooled: 0 });
}

/** The request ids of the JSONL file, one per line; a line cut short by a SIGKILL is skipped. */
function fileIds(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        return [(JSON.parse(line) as { request_id: string }).request_id];
      } catch {
        return [];
      }
    });
}

async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  { timeoutMs = 20_000, intervalMs = 20 } = {},
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The JSON log lines a CLI run printed. */
function logLines(result: CliResult): Record<string, unknown>[] {
  return result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

afterAll(async () => {
  const [client] = connections;
  if (client !== undefined && keys.length > 0) await client.del(...keys);
  for (const connection of connections) connection.disconnect();
});

describe.skipIf(!inject('redisAvailable'))('llm-proxy dispatcher on Redis Streams', () => {
  afterEach(async () => {
    const [client] = connections;
    if (client !== undefined && keys.length > 0) await client.del(...keys.splice(0));
  });

  // About 5 s on an idle machine; the margin is for a loaded CI runner.
  it('a dispatcher killed mid-run loses nothing: the next one of the group delivers every event', async () => {
    const dir = newDir();
    const client = await redisClient();
    const { key, group } = uniqueStream();
    const total = 5000;
    const published = Array.from({ length: total }, (_, index) =>
      proxyEvent({ id: `durable-${String(index).padStart(5, '0')}` }),
    );
    await publish(client, key, dir, published);
    expect(await client.xlen(key)).toBe(total);

    const file = join(dir, 'events.jsonl');
    writeFileSync(file, '');
    const env = (consumer: string) => ({
      LLM_PROXY_EVENT_BUS: 'redis-streams',
      REDIS_URL: TEST_REDIS_URL,
      REDIS_STREAM_KEY: key,
      REDIS_CONSUMER_GROUP: group,
      REDIS_CONSUMER_NAME: consumer,
      REDIS_STREAM_CLAIM_TIME: '500ms',
      REDIS_STREAM_BLOCK_TIME: '100ms',
      REDIS_STREAM_BATCH_SIZE: '50',
      DISPATCHER_FLUSH_INTERVAL: '50ms',
      LOG_LEVEL: 'info',
    });
    const args = (port: number) => [
      'dispatcher',
      '--service',
      'file',
      '--endpoint',
      file,
      '--batch-size',
      '25',
      '--buffer',
      '200',
      '--addr',
      `127.0.0.1:${String(port)}`,
    ];

    const first = spawnCli(args(await freePort()), { cwd: dir, env: env('first') });
    const firstDone = collect(first, 30_000);
    // Once about a fifth is written: killed in the middle of the run, between two batches or within one.
    const lineBytes = JSON.stringify(fileEventRecord(published[0] ?? proxyEvent())).length + 1;
    await until(() => statSync(file).size > (total / 5) * lineBytes, 'the first fifth', { intervalMs: 2 });
    first.kill('SIGKILL');
    expect((await firstDone).signal).toBe('SIGKILL');
    const byFirst = fileIds(file);
    expect(byFirst.length).toBeGreaterThan(0);
    expect(byFirst.length).toBeLessThan(total);
    // Read by the killed one and never acknowledged: the second one must claim these.
    const [firstPending] = (await client.xpending(key, group)) as [number, ...unknown[]];
    expect(firstPending).toBeGreaterThan(0);

    const port = await freePort();
    const second = spawnCli(args(port), { cwd: dir, env: env('second') });
    const secondDone = collect(second, 30_000);
    const expected = new Set(published.map(({ id }) => id));
    await until(() => new Set(fileIds(file)).size === expected.size, 'every event in the file');
    const health = async () => {
      const response = await fetch(`http://127.0.0.1:${String(port)}/health`);
      return (await response.json()) as { status: string; lag: number; delivered: number };
    };
    await until(async () => (await health()).lag === 0, 'lag 0', { timeoutMs: 5000 });
    second.kill('SIGTERM');
    const ended = await secondDone;
    expect(ended.code).toBe(0);

    const ids = fileIds(file);
    // At-least-once: what the killed one wrote and never acknowledged is written again (and, on a loaded
    // machine, some that waited past the short claim time): duplicates are counted, none may be missing.
    const duplicates = ids.length - new Set(ids).size;
    const written = new Set(ids);
    const missing = [...expected].filter((id) => !written.has(id));
    expect(missing, `${String(duplicates)} duplicates`).toEqual([]);
    const stopped = logLines(ended).find((line) => line.msg === 'event dispatcher stopped');
    expect(stopped).toMatchObject({ lag: 0, unsettled: 0, failed: 0, deadLettered: 0 });
    expect(Number(stopped?.delivered)).toBe(ids.length - byFirst.length);
    expect(await client.xlen(`${key}:dead`)).toBe(0);
  }, 60_000);

  it('replay moves dead letters back to the stream, where the group receives them again', async () => {
    const dir = newDir();
    const client = await redisClient();
    const { key, group } = uniqueStream();
    const published = ['replay-a', 'replay-b', 'replay-c'].map((id) => proxyEvent({ id }));
    await publish(client, key, dir, published);
    // Dead-letter them the way a dispatcher does on a permanent error.
    const bus = createEventBus(
      { type: 'redis-streams', streamKey: key, blockMs: 50 },
      { logger: silent, redis: client },
    );
    const source = bus.source(group, 'test');
    const delivered = await collectDeliveries(source, 3);
    await source.fail(delivered, 'permanent: backend answered 400', true);
    expect(await client.xlen(`${key}:dead`)).toBe(3);
    const [firstLetterId] = (await client.xrange(`${key}:dead`, '-', '+', 'COUNT', 1)).map(([id]) => id);

    const env = { LLM_PROXY_EVENT_BUS: 'redis-streams', REDIS_URL: TEST_REDIS_URL, REDIS_STREAM_KEY: key };
    const range = await runCli(['dispatcher', 'replay', '--from', '-', '--to', '+', '--dry-run'], {
      cwd: dir,
      env,
    });
    expect(range.stdout).toContain('would replay up to 3 events');
    const dry = await runCli(['dispatcher', 'replay', '--dead-letters', '--dry-run'], { cwd: dir, env });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('would move 3 dead letters');
    expect(await client.xlen(`${key}:dead`)).toBe(3);

    const one = await runCli(['dispatcher', 'replay', '--dead-letters', '--ids', firstLetterId ?? ''], {
      cwd: dir,
      env,
    });
    expect(one.stdout).toContain('moved 1 dead letter ');
    const rest = await runCli(['dispatcher', 'replay', '--dead-letters'], { cwd: dir, env });
    expect(rest.code).toBe(0);
    expect(rest.stdout).toContain('moved 2 dead letters');
    expect(await client.xlen(`${key}:dead`)).toBe(0);

    const again = await collectDeliveries(source, 3);
    expect(again.map(({ event }) => event.id).sort()).toEqual(['replay-a', 'replay-b', 'replay-c']);
    await bus.close();
  });
});
