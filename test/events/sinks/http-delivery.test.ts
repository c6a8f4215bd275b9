import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SinkError } from '../../../src/events/index.js';
import { postJson, retryAfterMs } from '../../../src/events/sinks/http-delivery.js';
import { startFakeReceiver } from '../../helpers/fake-receiver.js';
import type { FakeReceiver } from '../../helpers/fake-receiver.js';

let receiver: FakeReceiver;

beforeEach(async () => {
  receiver = await startFakeReceiver();
});

afterEach(async () => {
  await receiver.close();
});

describe('retryAfterMs', () => {
  it('reads delta-seconds and HTTP-dates', () => {
    const now = Date.UTC(2025, 0, 2, 3, 4, 5);
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(retryAfterMs(new Date(now - 30_000).toUTCString(), now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});

describe('postJson', () => {
  it('posts JSON and returns the parsed answer', async () => {
    receiver.answer(() => ({ status: 202, body: { accepted: 2 } }));

    const response = await postJson({
      url: `${receiver.url}/ingest`,
      body: { a: 1 },
      headers: { 'x-key': 'k' },
    });

    expect(response).toMatchObject({ status: 202, json: { accepted: 2 } });
    expect(receiver.requests[0]).toMatchObject({ method: 'POST', url: '/ingest', body: { a: 1 } });
    expect(receiver.requests[0]?.headers['x-key']).toBe('k');
  });

  it.each([
    [408, false],
    [425, false],
    [429, false],
    [503, false],
    [404, true],
    [413, true],
  ])('classifies %i as permanent: %s', async (status, permanent) => {
    receiver.answer(() => ({ status, body: 'no' }));

    const error = await postJson({ url: receiver.url, body: {} }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(SinkError);
    expect(error).toMatchObject({ permanent });
  });

  it('keeps a secret the backend echoes out of the error message', async () => {
    receiver.answer((request) => ({ status: 401, body: `unknown key ${String(request.headers['x-key'])}` }));

    const error = (await postJson({
      url: receiver.url,
      body: {},
      headers: { 'x-key': 'very-secret-key' },
      secrets: ['very-secret-key'],
    }).catch((caught: unknown) => caught)) as SinkError;

    expect(error.message).toContain('401');
    expect(error.message).not.toContain('very-secret-key');
  });
});
