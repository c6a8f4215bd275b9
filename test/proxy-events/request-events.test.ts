import { gzipSync } from 'node:zlib';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { EventBody, ProxyEvent } from '../../src/events/index.js';
import { sendJson } from '../helpers/fake-upstream.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import type { IssuedToken } from '../helpers/management.js';
import { JSON_HEADERS, chatBody } from '../helpers/proxy-requests.js';
import { RecordingPublisher } from '../helpers/recording-publisher.js';

const WAIT = { timeout: 5000, interval: 10 };
const OPT_IN = { ...JSON_HEADERS, 'cache-control': 'public, max-age=60' };

function bodyText(body: ProxyEvent['requestBody']): string {
  expect(body).not.toBeNull();
  const captured = body as EventBody;
  return Buffer.from(captured.data, captured.encoding).toString();
}

async function eventOf(publisher: RecordingPublisher, response: Response): Promise<ProxyEvent> {
  await response.arrayBuffer();
  const id = response.headers.get('x-request-id');
  await expect.poll(() => publisher.find(id), WAIT).toBeDefined();
  return publisher.find(id) as ProxyEvent;
}

describe('request events', () => {
  const publisher = new RecordingPublisher();
  let gateway: TestGateway;
  let issued: IssuedToken;

  beforeAll(async () => {
    gateway = await startTestGateway({
      eventPublisher: publisher,
      env: { OBSERVABILITY_MAX_REQUEST_BODY_BYTES: '64', OBSERVABILITY_MAX_RESPONSE_BODY_BYTES: '4KiB' },
    });
    issued = await gateway.issueToken();
  });

  afterAll(async () => {
    await gateway.close();
  });

  beforeEach(() => {
    gateway.upstream.reset();
  });

  it('an answered request becomes an event with its ids, timings, headers and bodies — and no secret', async () => {
    const response = await gateway.proxy('/v1/chat/completions', {
      method: 'POST',
      token: issued.token,
      headers: { ...JSON_HEADERS, 'x-api-key': 'sk-should-never-appear', 'user-agent': 'events-test' },
      body: chatBody(),
    });
    expect(response.status).toBe(200);
    const event = await eventOf(publisher, response);
    expect(event).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      projectId: issued.projectId,
      tokenId: issued.tokenId,
      provider: 'openai',
      endpoint: '/v1/chat/completions',
      model: 'gpt-4o-mini',
      status: 200,
      outcome: 'completed',
      source: 'upstream',
      cacheHit: false,
      errorCode: null,
    });
    expect(event.endedAt).toBeGreaterThanOrEqual(event.startedAt);
    expect(event.upstreamMs).not.toBeNull();
    expect(event.firstByteMs).not.toBeNull();
    expect(event.requestHeaders['user-agent']).toBe('events-test');
    expect(event.requestHeaders.authorization).toBeUndefined();
    expect(event.requestHeaders['x-api-key']).toBeUndefined();
    expect(event.responseHeaders['content-type']).toMatch(/application\/json/);
    expect(bodyText(event.requestBody)).toContain('"model":"gpt-4o-mini"');
    expect(JSON.parse(bodyText(event.responseBody))).toMatchObject({ object: 'chat.completion' });
    const serialised = JSON.stringify(event);
    expect(serialised).not.toContain(issued.token);
    expect(serialised).not.toContain(issued.apiKey);
    expect(serialised).not.toContain('sk-should-never-appear');
  });

  it('bodies are capped: the size is kept, the body is marked truncated', async () => {
    const long = 'x'.repeat(500);
    const response = await gateway.proxy('/v1/chat/completions', {
      method: 'POST',
      token: issued.token,
      headers: JSON_HEADERS,
      body: chatBody({ messages: [{ role: 'user', content: long }] }),
    });
    const event = await eventOf(publisher, response);
    const body = event.requestBody as EventBody;
    expect(body.truncated).toBe(true);
    expect(Buffer.from(body.data, body.encoding).length).toBe(64);
    expect(body.size).toBeGreaterThan(500);
  });

  it('a compressed answer is kept as it was sent, with its encoding named', async () => {
    const answer = { id: 'chatcmpl-gz', object: 'chat.completion', choices: [] };
    gateway.upstream.script((_request, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify(answer)));
    });
    const response = await gateway.proxy('/v1/chat/completions', {
      method: 'POST',
      token: issued.token,
      headers: { ...JSON_HEADERS, 'accept-encoding': 'gzip' },
      body: chatBody(),
    });
    const event = await eventOf(publisher, response);
    const body = event.responseBody as EventBody;
    expect(body).toMatchObject({ encoding: 'base64', contentEncoding: 'gzip', truncated: false });
  });

  it('a request the proxy refuses is an event too, with its error code and no project', async () => {
    const response = await gateway.proxy('/v1/chat/completions', {
      method: 'POST',
      token: 'sk-AAAAAAAAAAAAAAAAAAAAAA',
      headers: JSON_HEADERS,
      body: chatBody(),
    });
    expect(response.status).toBe(401);
    const event = await eventOf(publisher, response);
    expect(event).toMatchObject({ status: 401, outcome: 'refused', source: 'proxy', projectId: null });
    expect(event.errorCode).not.toBeNull();
    expect(bodyText(event.responseBody)).toContain(event.errorCode as string);
  });

  it('a cache hit is an event marked as a hit', async () => {
    gateway.upstream.script((_request, res) => {
      sendJson(res, 200, { id: 'chatcmpl-cached', object: 'chat.completion', choices: [] });
    });
    const init = { method: 'POST', token: issued.token, headers: OPT_IN, body: chatBody({ seed: 7 }) };
    const first = await eventOf(publisher, await gateway.proxy('/v1/chat/completions', init));
    const second = await eventOf(publisher, await gateway.proxy('/v1/chat/completions', init));
    expect(first.cacheHit).toBe(false);
    expect(second).toMatchObject({ cacheHit: true, source: 'cache', status: 200, cache: 'hit' });
    expect(second.id).not.toBe(first.id);
    expect(JSON.parse(bodyText(second.responseBody))).toMatchObject({ id: 'chatcmpl-cached' });
    expect(gateway.upstream.requests).toHaveLength(1);
  });

  it('a set-cookie of the upstream never reaches an event', async () => {
    gateway.upstream.script((_request, res) => {
      res.setHeader('set-cookie', 'session=secret-session-id');
      sendJson(res, 200, { object: 'list', data: [] });
    });
    const response = await gateway.proxy('/v1/models', { token: issued.token });
    const event = await eventOf(publisher, response);
    expect(event.responseHeaders['set-cookie']).toBeUndefined();
    expect(JSON.stringify(event)).not.toContain('secret-session-id');
  });
});

describe('request events with bodies left out', () => {
  it('keeps sizes and content types, and no body bytes', async () => {
    const publisher = new RecordingPublisher();
    const gateway = await startTestGateway({
      eventPublisher: publisher,
      env: { OBSERVABILITY_CAPTURE_BODIES: 'false' },
    });
    try {
      const { token } = await gateway.issueToken();
      const response = await gateway.proxy('/v1/chat/completions', {
        method: 'POST',
        token,
        headers: JSON_HEADERS,
        body: chatBody(),
      });
      const event = await eventOf(publisher, response);
      expect(event.requestBody).toMatchObject({ omitted: 'disabled', contentType: 'application/json' });
      expect(event.responseBody).toMatchObject({ omitted: 'disabled' });
      expect(JSON.stringify(event)).not.toContain('fake upstream');
    } finally {
      await gateway.close();
    }
  });
});

describe('request events switched off', () => {
  it('publishes nothing with OBSERVABILITY_ENABLED=false', async () => {
    const publisher = new RecordingPublisher();
    const gateway = await startTestGateway({
      eventPublisher: publisher,
      env: { OBSERVABILITY_ENABLED: 'false' },
    });
    try {
      const { token } = await gateway.issueToken();
      const response = await gateway.proxy('/v1/models', { token });
      await response.arrayBuffer();
      expect(response.status).toBe(200);
      expect(publisher.events).toEqual([]);
    } finally {
      await gateway.close();
    }
  });
});
