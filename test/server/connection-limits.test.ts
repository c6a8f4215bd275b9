import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import type { IssuedToken } from '../helpers/management.js';
import { deferred, sleep } from '../helpers/network.js';
import { JSON_HEADERS, chatBody } from '../helpers/proxy-requests.js';
import { openRawClient, parseRawResponse, requestHead } from '../helpers/raw-client.js';
import type { RawClient } from '../helpers/raw-client.js';
import { slowStream } from '../helpers/sse.js';

/** A request over a connection from the given source address, read to the end. */
async function fromAddress(
  agent: Agent,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const response = await request(url, {
    dispatcher: agent,
    method: (init.method ?? 'GET') as 'GET',
    ...(init.headers !== undefined && { headers: init.headers }),
    ...(init.body !== undefined && { body: init.body }),
  });
  return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
}

describe('connection and in-flight limits per client address', () => {
  let h: TestGateway;
  let issued: IssuedToken;
  const open: RawClient[] = [];
  const agents: Agent[] = [];
  const agentFrom = (localAddress: string): Agent => {
    const agent = new Agent({ localAddress });
    agents.push(agent);
    return agent;
  };
  beforeAll(async () => {
    h = await startTestGateway({
      env: { MAX_CONNECTIONS_PER_CLIENT: '3', MAX_IN_FLIGHT_PER_CLIENT: '2', MAX_CONNECTIONS: '8' },
    });
    issued = await h.issueToken();
  });
  afterEach(async () => {
    for (const client of open.splice(0)) client.destroy();
    await Promise.all(agents.splice(0).map((agent) => agent.destroy()));
    h.upstream.reset();
  });
  afterAll(async () => {
    await h.close();
  });

  it('refuses a connection past MAX_CONNECTIONS_PER_CLIENT with 429 and closes it; other addresses still get in', async () => {
    for (let index = 0; index < 3; index += 1) {
      open.push(await openRawClient(h.url, { localAddress: '127.0.0.2' }));
    }
    const fourth = await openRawClient(h.url, { localAddress: '127.0.0.2' });
    open.push(fourth);
    fourth.write(requestHead('GET', '/health'));
    const refused = parseRawResponse(await fourth.closed);
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      error: 'too many open connections from this client address',
      code: 'too_many_connections',
    });
    expect(refused.headers).toContain('connection: close');
    expect(refused.headers).toContain('retry-after: 1');

    const other = await fromAddress(agentFrom('127.0.0.3'), `${h.url}/health`);
    expect(other.status).toBe(200);
  });

  it('answers /v1 refusals in the OpenAI error shape (type rate_limit_error)', async () => {
    for (let index = 0; index < 3; index += 1) {
      open.push(await openRawClient(h.url, { localAddress: '127.0.0.4' }));
    }
    const refused = await fromAddress(agentFrom('127.0.0.4'), `${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, authorization: `Bearer ${issued.token}` },
      body: chatBody(),
    });
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body)).toEqual({
      error: {
        message: 'too many open connections from this client address',
        type: 'rate_limit_error',
        param: null,
        code: 'too_many_connections',
      },
    });
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('admits a new connection once one of the address closes', async () => {
    const clients: RawClient[] = [];
    for (let index = 0; index < 3; index += 1) {
      clients.push(await openRawClient(h.url, { localAddress: '127.0.0.5' }));
    }
    open.push(...clients);
    clients[0]?.destroy();
    await clients[0]?.closed;
    // The server sees the close a moment after the client.
    await sleep(100);
    const next = await openRawClient(h.url, { localAddress: '127.0.0.5' });
    open.push(next);
    next.write(requestHead('GET', '/health'));
    expect(parseRawResponse(await next.waitFor('}')).status).toBe(200);
  });

  it('refuses a request past MAX_IN_FLIGHT_PER_CLIENT (streams count) with 429, then admits again', async () => {
    const release = deferred();
    h.upstream.script(async (_request, res) => {
      await release.promise;
      await slowStream(res, 2, 10);
    });
    const agent = agentFrom('127.0.0.6');
    const streams = [0, 1].map(() =>
      fromAddress(agent, `${h.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...JSON_HEADERS, authorization: `Bearer ${issued.token}` },
        body: chatBody({ stream: true }),
      }),
    );
    for (let waited = 0; h.upstream.requests.length < 2 && waited < 5000; waited += 20) await sleep(20);
    expect(h.upstream.requests).toHaveLength(2);

    const refused = await fromAddress(agentFrom('127.0.0.6'), `${h.url}/health`);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body)).toEqual({
      error: 'too many requests in progress from this client address',
      code: 'too_many_requests_in_flight',
    });
    expect(refused.headers.connection).toBe('close');

    release.resolve();
    for (const stream of await Promise.all(streams)) expect(stream.body).toContain('[DONE]');
    const after = await fromAddress(agentFrom('127.0.0.6'), `${h.url}/health`);
    expect(after.status).toBe(200);
  });

  it('refuses connections past MAX_CONNECTIONS with 503 server_busy, whatever the address', async () => {
    // Connections of the tests before, closed by their clients, may take a moment to close on the server.
    for (let waited = 0; (await h.connections()) > 0 && waited < 5000; waited += 20) await sleep(20);
    const addresses = ['127.0.1.1', '127.0.1.2', '127.0.1.3', '127.0.1.4'];
    for (const address of addresses) {
      for (let index = 0; index < 2; index += 1)
        open.push(await openRawClient(h.url, { localAddress: address }));
    }
    const ninth = await openRawClient(h.url, { localAddress: '127.0.1.5' });
    open.push(ninth);
    ninth.write(requestHead('GET', '/health'));
    const refused = parseRawResponse(await ninth.closed);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ code: 'server_busy' });
  });

  it('counts the socket address and ignores X-Forwarded-For', async () => {
    for (let index = 0; index < 3; index += 1) {
      open.push(await openRawClient(h.url, { localAddress: '127.0.0.7' }));
    }
    const refused = await fromAddress(agentFrom('127.0.0.7'), `${h.url}/health`, {
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(refused.status).toBe(429);
  });
});
