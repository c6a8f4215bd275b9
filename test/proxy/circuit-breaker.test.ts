import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { ManualClock } from '../helpers/clock.js';
import { sendJson, startFakeUpstream } from '../helpers/fake-upstream.js';
import type { FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import type { IssuedToken } from '../helpers/management.js';
import { closed, closedPort } from '../helpers/network.js';
import { openAiLikeProvider } from '../helpers/provider-file.js';
import { chatRequest, errorOf } from '../helpers/proxy-requests.js';

const THRESHOLD = 3;
const COOLDOWN_MS = 30_000;

describe('the circuit breaker', () => {
  let h: TestGateway;
  let flaky: FakeUpstream;
  let flakyToken: IssuedToken;
  const clock = new ManualClock();
  beforeAll(async () => {
    flaky = await startFakeUpstream();
    h = await startTestGateway({
      clock,
      env: { CIRCUIT_BREAKER_THRESHOLD: String(THRESHOLD), CIRCUIT_BREAKER_COOLDOWN: '30s' },
      providers: {
        dead: openAiLikeProvider(`http://127.0.0.1:${String(await closedPort())}`),
        flaky: openAiLikeProvider(flaky.url),
      },
    });
    flakyToken = await h.issueToken({ provider: 'flaky' });
  });
  afterAll(async () => {
    await h.close();
    await flaky.close();
  });
  beforeEach(() => {
    h.upstream.reset();
    flaky.reset();
  });

  const chat = (token: string, signal?: AbortSignal) =>
    h.proxy('/v1/chat/completions', chatRequest(token, signal));
  const answer503 = () => {
    flaky.script((_request, res) => {
      sendJson(res, 503, { error: { message: 'overloaded', type: 'server_error', code: null } });
    });
  };
  /** Opens the flaky provider's circuit with upstream 503s. */
  const openFlakyCircuit = async (): Promise<void> => {
    answer503();
    for (let index = 0; index < THRESHOLD; index += 1)
      expect((await chat(flakyToken.token)).status).toBe(503);
    const refused = await chat(flakyToken.token);
    expect((await errorOf(refused)).code).toBe('circuit_open');
    flaky.reset();
  };

  it(`opens the provider's circuit for every project after ${String(THRESHOLD)} consecutive connect failures: 503 circuit_open with retry-after`, async () => {
    const issued = await h.issueToken({ provider: 'dead' });
    for (let index = 0; index < THRESHOLD; index += 1) {
      const response = await chat(issued.token);
      expect(response.status).toBe(502);
      expect((await errorOf(response)).code).toBe('upstream_unreachable');
    }
    const refused = await chat(issued.token);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe(String(COOLDOWN_MS / 1000));
    expect(await errorOf(refused)).toMatchObject({ code: 'circuit_open', type: 'proxy_error' });
    // A refused connection is the same for everyone: another project at that provider is refused too.
    const sameProvider = await h.issueToken({ provider: 'dead' });
    expect((await errorOf(await chat(sameProvider.token))).code).toBe('circuit_open');

    // One provider's circuit does not stop another provider.
    const other = await h.issueToken();
    expect((await chat(other.token)).status).toBe(200);
  });

  it('counts upstream 502/503/504 answers against the project, and stops sending its requests while open', async () => {
    await openFlakyCircuit();
    expect((await chat(flakyToken.token)).status).toBe(503);
    expect(flaky.requests).toHaveLength(0);
    // The answers opened this project's circuit only: another project at the same provider still goes through.
    const other = await h.issueToken({ provider: 'flaky' });
    expect((await chat(other.token)).status).toBe(200);
    expect(flaky.requests).toHaveLength(1);
    clock.advance(COOLDOWN_MS + 1000);
    // After the cooldown one trial goes through; its success closes the circuit.
    flaky.reset();
    expect((await chat(flakyToken.token)).status).toBe(200);
    expect((await chat(flakyToken.token)).status).toBe(200);
    expect(flaky.requests).toHaveLength(2);
  });

  it('is not opened by upstream 400, 429 or 500 answers, which pass through', async () => {
    const issued = await h.issueToken();
    const statuses = [500, 429, 400, 500, 500, 500, 429, 400];
    let next = 0;
    h.upstream.script((_request, res) => {
      const status = statuses[next] ?? 200;
      next += 1;
      sendJson(res, status, { error: { message: `upstream ${String(status)}`, type: 'x', code: null } });
    });
    for (const status of statuses) {
      const response = await chat(issued.token);
      expect(response.status).toBe(status);
      expect(((await response.json()) as { error: { message: string } }).error.message).toBe(
        `upstream ${String(status)}`,
      );
    }
    expect(h.upstream.requests).toHaveLength(statuses.length);
  });

  it('reopens when the trial after the cooldown fails', async () => {
    await openFlakyCircuit();
    clock.advance(COOLDOWN_MS + 1000);
    answer503();
    expect((await chat(flakyToken.token)).status).toBe(503);
    expect(flaky.requests).toHaveLength(1);
    expect((await errorOf(await chat(flakyToken.token))).code).toBe('circuit_open');
    expect(flaky.requests).toHaveLength(1);
    clock.advance(COOLDOWN_MS + 1000);
    flaky.reset();
    expect((await chat(flakyToken.token)).status).toBe(200);
  });

  it('lets a new trial through when the client of the previous trial went away', async () => {
    await openFlakyCircuit();
    clock.advance(COOLDOWN_MS + 1000);
    flaky.script((_request, res) => closed(res));
    const controller = new AbortController();
    const trial = chat(flakyToken.token, controller.signal).catch((error: unknown) => error);
    await vi.waitFor(() => {
      expect(flaky.requests).toHaveLength(1);
    });
    controller.abort();
    await trial;
    await vi.waitFor(() => {
      expect(flaky.requests[0]?.aborted).toBe(true);
    });
    flaky.reset();
    expect((await chat(flakyToken.token)).status).toBe(200);
    expect(flaky.requests).toHaveLength(1);
  });

  it('does not close an open circuit because a request was refused by its quota', async () => {
    const spent = await h.createToken(flakyToken.projectId, { max_requests: 1 });
    flaky.reset();
    expect((await chat(spent.token)).status).toBe(200);
    await openFlakyCircuit();
    clock.advance(COOLDOWN_MS + 1000);
    const refused = await chat(spent.token);
    expect(refused.status).toBe(429);
    // The upstream still fails: the next request is the trial, and its failure reopens the circuit at once.
    answer503();
    expect((await chat(flakyToken.token)).status).toBe(503);
    expect((await errorOf(await chat(flakyToken.token))).code).toBe('circuit_open');
    expect(flaky.requests).toHaveLength(1);
    clock.advance(COOLDOWN_MS + 1000);
    flaky.reset();
    expect((await chat(flakyToken.token)).status).toBe(200);
  });
});
