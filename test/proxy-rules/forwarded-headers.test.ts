import { describe, expect, it } from 'vitest';

import { clientResponseHeaders, upstreamRequestHeaders } from '../../src/proxy/forwarded-headers.js';

const identity = {
  auth: { header: 'authorization', scheme: 'Bearer' },
  apiKey: 'sk-project-key',
  requestId: 'req-1',
  projectId: 'project-1',
};

describe('headers sent upstream', () => {
  it('replace the client token with the project key and drop client addresses and hop-by-hop headers', () => {
    const headers = upstreamRequestHeaders(
      {
        authorization: 'Bearer sk-client-token',
        'x-api-key': 'sk-client-token',
        'content-type': 'application/json',
        'openai-organization': 'org-1',
        'x-forwarded-for': '203.0.113.9',
        'x-real-ip': '203.0.113.9',
        'cf-connecting-ip': '203.0.113.9',
        forwarded: 'for=203.0.113.9',
        connection: 'keep-alive, x-secret-hop',
        'x-secret-hop': 'drop me',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        te: 'trailers',
        upgrade: 'h2c',
        host: 'proxy.example',
        expect: '100-continue',
        'x-request-id': 'client-chosen',
      },
      identity,
    );
    expect(headers).toEqual({
      authorization: 'Bearer sk-project-key',
      'content-type': 'application/json',
      'openai-organization': 'org-1',
      'x-request-id': 'req-1',
      'x-proxy': 'llm-proxy',
      'x-proxy-id': 'project-1',
    });
  });

  it('send the key the way the provider wants it', () => {
    const headers = upstreamRequestHeaders(
      { 'x-api-key': 'sk-client-token', 'anthropic-version': '2023-06-01' },
      { ...identity, auth: { header: 'x-api-key', scheme: '' } },
    );
    expect(headers['x-api-key']).toBe('sk-project-key');
    expect(headers.authorization).toBeUndefined();
    expect(headers['anthropic-version']).toBe('2023-06-01');
  });
});

describe('headers relayed to the client', () => {
  it('keep the upstream headers but hop-by-hop ones and cookies, and move its request id aside', () => {
    const headers = clientResponseHeaders({
      'content-type': 'text/event-stream',
      'openai-processing-ms': '12',
      'set-cookie': ['a=1', 'b=2'],
      'set-cookie2': 'c=3',
      connection: 'keep-alive',
      'transfer-encoding': 'chunked',
      'keep-alive': 'timeout=5',
      'x-request-id': 'req_provider',
    });
    expect(headers).toEqual({
      'content-type': 'text/event-stream',
      'openai-processing-ms': '12',
      'x-upstream-request-id': 'req_provider',
    });
  });
});
