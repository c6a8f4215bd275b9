import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { EventSink } from '../../../src/events/index.js';
import { createEventSink } from '../../../src/events/sinks/create-event-sink.js';
import type { EventSinkConfig } from '../../../src/events/sinks/create-event-sink.js';
import { proxyEvent } from '../event-fixtures.js';
import { startFakeReceiver } from '../../helpers/fake-receiver.js';
import type { FakeReceiver } from '../../helpers/fake-receiver.js';

let receiver: FakeReceiver;
let directory: string;
const sinks: EventSink[] = [];

beforeEach(async () => {
  receiver = await startFakeReceiver(() => ({ body: { results: [] } }));
  directory = await mkdtemp(join(tmpdir(), 'llm-proxy-sinks-'));
});

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
  await receiver.close();
  await rm(directory, { recursive: true, force: true });
});

function created(config: EventSinkConfig): EventSink {
  const sink = createEventSink(config);
  sinks.push(sink);
  return sink;
}

describe('createEventSink', () => {
  it('builds the file backend, which appends the batch to its file', async () => {
    const path = join(directory, 'events.jsonl');
    const sink = created({ type: 'file', path });

    await sink.send([proxyEvent()]);

    expect(sink.name).toBe('file');
    expect((await readFile(path, 'utf8')).trim().split('\n')).toHaveLength(1);
  });

  it.each([
    ['lunary', '/v1/runs/ingest'],
    ['helicone', '/custom/v1/log'],
    ['otel', '/v1/traces'],
  ] as const)('builds the %s backend, which delivers to its endpoint', async (type, path) => {
    const endpoint = `${receiver.url}${path}`;
    const config: EventSinkConfig =
      type === 'otel' ? { type, endpoint } : { type, endpoint, apiKey: 'test-key' };
    const sink = created(config);

    await sink.send([proxyEvent()]);

    expect(sink.name).toBe(type);
    expect(receiver.requests.map((request) => request.url)).toEqual([path]);
  });

  it('refuses a backend type it does not know', () => {
    const config = { type: 'kafka', endpoint: receiver.url } as unknown as EventSinkConfig;

    expect(() => createEventSink(config)).toThrow(/kafka/);
  });
});
