import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import type { IssuedToken } from '../helpers/management.js';
import { closedPort } from '../helpers/network.js';
import { anthropicLikeProvider } from '../helpers/provider-file.js';
import { JSON_HEADERS, chatBody } from '../helpers/proxy-requests.js';

const MESSAGE = {
  model: 'claude-test',
  max_tokens: 16,
  messages: [{ role: 'user' as const, content: 'hi' }],
};

/** Anthropic's error body, as its API sends it. */
interface AnthropicErrorBody {
  type: string;
  error: { type: string; message: string; details: { error_code: string } };
}

describe('errors on Anthropic routes', () => {
  let h: TestGateway;
  let claude: IssuedToken;
  beforeAll(async () => {
    h = await startTestGateway({
      env: { CIRCUIT_BREAKER_THRESHOLD: '1' },
      providers: {
        'anthropic-down': anthropicLikeProvider(`http://127.0.0.1:${String(await closedPort())}`),
      },
    });
    claude = await h.issueToken({ provider: 'anthropic' });
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.anthropic.reset();
    h.upstream.reset();
  });

  const sdk = (token: string, maxRetries = 0) =>
    new Anthropic({ apiKey: token, baseURL: h.url, maxRetries, timeout: 20_000 });
  /** What the SDK throws for a Messages call with the token. */
  const failure = async (token: string, maxRetries = 0): Promise<InstanceType<typeof Anthropic.APIError>> => {
    const error: unknown = await sdk(token, maxRetries)
      .messages.create(MESSAGE)
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(Anthropic.APIError);
    return error as InstanceType<typeof Anthropic.APIError>;
  };
  const bodyOf = (error: InstanceType<typeof Anthropic.APIError>) => error.error as AnthropicErrorBody;

  it('answers a refused token in Anthropic’s shape: the SDK raises AuthenticationError with the proxy’s code', async () => {
    const error = await failure('sk-not-a-valid-token');
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(error.status).toBe(401);
    expect(error.type).toBe('authentication_error');
    expect(error.errorCode).toBe('invalid_token');
    expect(bodyOf(error)).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    const revoked = await h.issueToken({ provider: 'anthropic' });
    expect((await h.manage('DELETE', `/manage/tokens/${revoked.tokenId}`)).statusCode).toBeLessThan(300);
    const inactive = await failure(revoked.token);
    expect(inactive).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(inactive.errorCode).toBe('token_inactive');
    expect(inactive.apiMessage).toBe('Token is inactive');
    expect(h.anthropic.requests).toHaveLength(0);
  });

  it('tells an OpenAI project’s token on /v1/messages that its provider does not serve it: NotFoundError', async () => {
    const openaiProject = await h.issueToken();
    const error = await failure(openaiProject.token);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect(error.type).toBe('not_found_error');
    expect(error.errorCode).toBe('endpoint_not_served');
    expect(error.apiMessage).toBe("this project's provider (openai) does not serve this endpoint");
    expect(h.anthropic.requests).toHaveLength(0);
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('raises PermissionDeniedError for a deactivated project', async () => {
    const issued = await h.issueToken({ provider: 'anthropic' });
    const patched = await h.manage('PATCH', `/manage/projects/${issued.projectId}`, { is_active: false });
    expect(patched.statusCode).toBe(200);
    const error = await failure(issued.token);
    expect(error).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect(error.type).toBe('permission_error');
    expect(error.errorCode).toBe('project_inactive');
  });

  it('raises RateLimitError once the quota is spent, and the SDK does not retry it', async () => {
    const issued = await h.issueToken({ provider: 'anthropic', token: { max_requests: 1 } });
    const message = await sdk(issued.token).messages.create(MESSAGE);
    expect(message.content[0]).toMatchObject({ text: 'Hello from the fake Anthropic' });
    const error = await failure(issued.token, 2);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(error.type).toBe('rate_limit_error');
    expect(error.errorCode).toBe('rate_limit_exceeded');
    expect((await h.tokenRecord(issued.tokenId)).requestCount).toBe(1);
    expect(h.anthropic.requests).toHaveLength(1);
  });

  it('answers an unreachable upstream with api_error and an open circuit with overloaded_error', async () => {
    const issued = await h.issueToken({ provider: 'anthropic-down' });
    const unreachable = await failure(issued.token);
    expect(unreachable).toBeInstanceOf(Anthropic.InternalServerError);
    expect(unreachable.status).toBe(502);
    expect(unreachable.type).toBe('api_error');
    expect(unreachable.errorCode).toBe('upstream_unreachable');
    const open = await failure(issued.token);
    expect(open.status).toBe(503);
    expect(open.type).toBe('overloaded_error');
    expect(open.errorCode).toBe('circuit_open');
  });

  it('ends a stream the upstream cuts midway with an Anthropic error event, which the SDK raises', async () => {
    h.anthropic.script((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const start = {
        type: 'message_start',
        message: {
          id: 'msg_cut',
          type: 'message',
          role: 'assistant',
          content: [],
          model: 'claude-test',
          usage: { input_tokens: 1, output_tokens: 0 },
        },
      };
      res.write(`event: message_start\ndata: ${JSON.stringify(start)}\n\n`, () => res.socket?.destroy());
    });
    const stream = await sdk(claude.token).messages.create({ ...MESSAGE, stream: true });
    const events: string[] = [];
    const error = await (async () => {
      try {
        for await (const event of stream) events.push(event.type);
        return undefined;
      } catch (caught) {
        return caught;
      }
    })();
    expect(events).toEqual(['message_start']);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).type).toBe('api_error');
    expect((error as InstanceType<typeof Anthropic.APIError>).errorCode).toBe('upstream_stream_error');
  });

  it('keeps the OpenAI shape on OpenAI routes, also for an Anthropic project’s token', async () => {
    const error: unknown = await h
      .openai(claude.token)
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error).toMatchObject({ code: 'endpoint_not_served', type: 'invalid_request_error' });
  });

  it('answers a path both kinds of provider serve in the shape of the token’s provider', async () => {
    const issued = await h.issueToken({ provider: 'anthropic' });
    await h.manage('PATCH', `/manage/projects/${issued.projectId}`, { is_active: false });
    const anthropicShaped = await h.proxy('/v1/models', { headers: { 'x-api-key': issued.token } });
    expect(anthropicShaped.status).toBe(403);
    expect(await anthropicShaped.json()).toMatchObject({
      type: 'error',
      error: { type: 'permission_error' },
    });
    // Before a token is known, such a path answers in OpenAI's shape.
    const unknown = await h.proxy('/v1/models', { headers: JSON_HEADERS });
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toMatchObject({ error: { code: 'invalid_token' } });
    const chat = await h.proxy('/v1/chat/completions', {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'x-api-key': claude.token },
      body: chatBody(),
    });
    expect(await chat.json()).toMatchObject({ error: { code: 'endpoint_not_served' } });
  });
});
