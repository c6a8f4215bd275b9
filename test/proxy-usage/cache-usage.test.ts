import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { IssuedToken } from '../helpers/management.js';
import { chatBody } from '../helpers/proxy-requests.js';
import {
  OPENAI_RECORDED,
  asIfUsageNotAsked,
  chatStreamUpstream,
  rawPost,
  startUsageGateway,
} from './usage-kit.js';
import type { ChatStreamUpstream, UsageGateway } from './usage-kit.js';

const OPT_IN = { 'cache-control': 'public, max-age=60' };

describe('usage of cached answers', () => {
  let usage: UsageGateway;
  let issued: IssuedToken;
  let upstream: ChatStreamUpstream;

  beforeAll(async () => {
    usage = await startUsageGateway({ env: { HTTP_CACHE_STREAM_RESPONSES: 'true' } });
    issued = await usage.gateway.issueToken();
  });
  afterAll(async () => {
    await usage.gateway.close();
  });
  beforeEach(() => {
    usage.gateway.upstream.reset();
    upstream = chatStreamUpstream();
    usage.gateway.upstream.script(upstream.script);
  });

  const post = (body: string) =>
    rawPost(usage.gateway.url, '/v1/chat/completions', issued.token, body, OPT_IN);

  it('a cache hit of a stream the proxy asked usage for replays it without the usage chunk, and records its usage', async () => {
    const body = chatBody({ stream: true, seed: 1 });
    const first = await post(body);
    const hit = await post(body);
    expect(first.headers).toContain('x-proxy-cache: stored');
    expect(hit.headers).toContain('x-proxy-cache: hit');
    expect(usage.gateway.upstream.requests).toHaveLength(1);
    const withoutUsage = asIfUsageNotAsked(upstream.sent[0]!);
    expect(first.body).toBe(withoutUsage);
    expect(hit.body).toBe(withoutUsage);
    const record = await usage.recordOf(hit.requestId);
    expect(record.source).toBe('cache');
    expect(record.usage).toEqual(OPENAI_RECORDED);
  });

  it("a client that asked for usage itself gets the stored stream's usage chunk on a hit", async () => {
    const body = chatBody({ stream: true, seed: 2, stream_options: { include_usage: true } });
    await post(body);
    const hit = await post(body);
    expect(hit.headers).toContain('x-proxy-cache: hit');
    expect(hit.body).toBe(upstream.sent[0]);
    expect((await usage.recordOf(hit.requestId)).usage).toEqual(OPENAI_RECORDED);
  });

  it('a cache hit of a JSON answer records the stored answer’s usage', async () => {
    const body = chatBody({ seed: 3 });
    await post(body);
    const hit = await post(body);
    expect(hit.headers).toContain('x-proxy-cache: hit');
    expect((await usage.recordOf(hit.requestId)).usage).toEqual(OPENAI_RECORDED);
  });
});
