import { describe, expect, it } from 'vitest';

import type { NotStoredReason, StoreFacts } from '../../../src/cache/cache-policy.js';
import { planStore } from '../../../src/cache/cache-policy.js';

const DEFAULT_TTL_MS = 300_000;

function facts(partial: Partial<StoreFacts> & Pick<StoreFacts, 'headers'>): StoreFacts {
  return {
    method: 'GET',
    status: 200,
    forcedTtlMs: undefined,
    defaultTtlMs: DEFAULT_TTL_MS,
    streamResponses: false,
    maxObjectBytes: 1024,
    ...partial,
  };
}

const PUBLIC = { 'cache-control': 'public', 'content-type': 'application/json' };

describe('planStore: which answers are stored', () => {
  const notStoredTable: [string, StoreFacts, NotStoredReason][] = [
    ['a 500', facts({ status: 500, headers: PUBLIC }), 'status'],
    [
      'a 404 (the original stored it; an LLM API 404 is not worth keeping)',
      facts({ status: 404, headers: PUBLIC }),
      'status',
    ],
    ['a 304', facts({ status: 304, headers: PUBLIC }), 'status'],
    ['a 301', facts({ status: 301, headers: PUBLIC }), 'status'],
    ['a 206 partial answer', facts({ status: 206, headers: PUBLIC }), 'status'],
    ['a 1xx', facts({ status: 103, headers: PUBLIC }), 'status'],
    ['no-store', facts({ headers: { 'cache-control': 'public, max-age=60, no-store' } }), 'no-store'],
    [
      'no-store even with a forced TTL',
      facts({ forcedTtlMs: 60_000, headers: { 'cache-control': 'no-store' } }),
      'no-store',
    ],
    ['private', facts({ headers: { 'cache-control': 'private, max-age=60' } }), 'private'],
    [
      'private even with a forced TTL',
      facts({ forcedTtlMs: 60_000, headers: { 'cache-control': 'private' } }),
      'private',
    ],
    ['qualified private', facts({ headers: { 'cache-control': 'public, private="x-user"' } }), 'private'],
    ['no-cache', facts({ headers: { 'cache-control': 'public, no-cache' } }), 'no-cache'],
    ['Vary: *', facts({ headers: { 'cache-control': 'public', vary: 'accept, *' } }), 'vary-star'],
    [
      'Vary: * on a second line',
      facts({ forcedTtlMs: 60_000, headers: { vary: ['accept', '*'] } }),
      'vary-star',
    ],
    [
      'an SSE answer without stream caching',
      facts({
        forcedTtlMs: 60_000,
        headers: { 'content-type': 'text/event-stream; charset=utf-8' },
      }),
      'stream',
    ],
    [
      'an SSE answer in upper case without stream caching',
      facts({
        forcedTtlMs: 60_000,
        headers: { 'content-type': 'Text/Event-Stream' },
      }),
      'stream',
    ],
    [
      'a content-length above the limit',
      facts({ headers: { ...PUBLIC, 'content-length': '1025' } }),
      'too-large',
    ],
    [
      'a huge content-length',
      facts({ headers: { ...PUBLIC, 'content-length': '99999999999999999999' } }),
      'too-large',
    ],
    [
      'a forced TTL does not lift the size limit',
      facts({
        forcedTtlMs: 60_000,
        headers: { 'content-length': '4096' },
      }),
      'too-large',
    ],
    [
      'neither public nor s-maxage (the request was authorized)',
      facts({ headers: { 'cache-control': 'max-age=60' } }),
      'not-public',
    ],
    ['no Cache-Control at all', facts({ headers: { 'content-type': 'application/json' } }), 'not-public'],
    ['public, default TTL off', facts({ defaultTtlMs: 0, headers: PUBLIC }), 'no-ttl'],
    ['public, max-age=0', facts({ headers: { 'cache-control': 'public, max-age=0' } }), 'no-ttl'],
    [
      's-maxage=0 wins over max-age',
      facts({ headers: { 'cache-control': 's-maxage=0, max-age=60' } }),
      'no-ttl',
    ],
    [
      'public with a malformed max-age and the default off',
      facts({
        defaultTtlMs: 0,
        headers: { 'cache-control': 'public, max-age=soon' },
      }),
      'no-ttl',
    ],
  ];

  it.each(notStoredTable)('does not store %s', (_name, input, reason) => {
    expect(planStore(input)).toEqual({ store: false, reason });
  });

  const ttlTable: [string, StoreFacts, number][] = [
    [
      's-maxage before max-age',
      facts({ headers: { 'cache-control': 'public, max-age=60, s-maxage=120' } }),
      120_000,
    ],
    [
      's-maxage alone (it implies shared use)',
      facts({ headers: { 'cache-control': 's-maxage=30' } }),
      30_000,
    ],
    ['public with max-age', facts({ headers: { 'cache-control': 'public, max-age=60' } }), 60_000],
    ['public without a lifetime takes the default', facts({ headers: PUBLIC }), DEFAULT_TTL_MS],
    [
      'a forced TTL over the upstream lifetime',
      facts({
        forcedTtlMs: 5_000,
        headers: { 'cache-control': 'public, max-age=60' },
      }),
      5_000,
    ],
    ['a forced TTL without any Cache-Control', facts({ forcedTtlMs: 5_000, headers: {} }), 5_000],
    [
      'a forced TTL where the upstream says max-age=0',
      facts({
        forcedTtlMs: 5_000,
        headers: { 'cache-control': 'max-age=0' },
      }),
      5_000,
    ],
    ['any other 2xx', facts({ status: 203, headers: { 'cache-control': 'public, max-age=9' } }), 9_000],
    [
      'a content-length at the limit',
      facts({ headers: { ...PUBLIC, 'content-length': '1024' } }),
      DEFAULT_TTL_MS,
    ],
    [
      'a malformed content-length (the tap counts the bytes)',
      facts({
        headers: { ...PUBLIC, 'content-length': '12, 12' },
      }),
      DEFAULT_TTL_MS,
    ],
    [
      'an SSE answer with stream caching',
      facts({
        forcedTtlMs: 60_000,
        streamResponses: true,
        headers: { 'content-type': 'text/event-stream' },
      }),
      60_000,
    ],
    ['a HEAD', facts({ method: 'HEAD', headers: { 'cache-control': 'public, max-age=60' } }), 60_000],
    [
      'a HEAD describing a body above the limit (it has none)',
      facts({
        method: 'HEAD',
        headers: { ...PUBLIC, 'content-length': '4096' },
      }),
      DEFAULT_TTL_MS,
    ],
    ['a POST', facts({ method: 'POST', forcedTtlMs: 1_500, headers: {} }), 1_500],
  ];

  it.each(ttlTable)('stores %s', (_name, input, ttlMs) => {
    const plan = planStore(input);
    expect(plan.store).toBe(true);
    expect(plan.store && plan.ttlMs).toBe(ttlMs);
  });

  it("stores an opted-in answer that says no-cache (the providers' SSE answers all say it)", () => {
    const plan = planStore(
      facts({
        forcedTtlMs: 60_000,
        streamResponses: true,
        headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
      }),
    );
    expect(plan.store && plan.ttlMs).toBe(60_000);
    expect(plan.store && plan.headers['cache-control']).toBe('public, max-age=60');
  });

  it('says whether the answer is a stream', () => {
    const sse = planStore(
      facts({
        forcedTtlMs: 1_000,
        streamResponses: true,
        headers: { 'content-type': 'text/event-stream;charset=utf-8' },
      }),
    );
    const json = planStore(
      facts({ forcedTtlMs: 1_000, streamResponses: true, headers: { 'content-type': 'application/json' } }),
    );
    const near = planStore(facts({ forcedTtlMs: 1_000, headers: { 'content-type': 'text/event-streams' } }));
    const none = planStore(facts({ forcedTtlMs: 1_000, headers: {} }));
    expect([sse, json, near, none].map((plan) => plan.store && plan.stream)).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });

  it.each([
    ['no Vary', undefined, []],
    ['one name', 'Accept-Encoding', ['accept-encoding']],
    [
      'a list, sorted and lower-cased',
      'Accept-Language, accept, X-Org',
      ['accept', 'accept-language', 'x-org'],
    ],
    ['repeated lines, deduplicated', ['Accept, Origin', 'origin', ' accept '], ['accept', 'origin']],
    ['empty members ignored', ', ,Accept,', ['accept']],
    ['an empty Vary', '', []],
  ] as const)('reports the Vary names: %s', (_name, vary, expected) => {
    const plan = planStore(
      facts({ headers: { ...PUBLIC, ...(vary === undefined ? {} : { vary: vary as string | string[] }) } }),
    );
    expect(plan.store && plan.vary).toEqual(expected);
  });
});

describe('planStore: the headers kept with an entry', () => {
  const upstream = {
    'content-type': 'application/json',
    'content-length': '42',
    'cache-control': 'public, max-age=60',
    etag: 'W/"v1"',
    'last-modified': 'Tue, 01 Dec 2026 10:00:00 GMT',
    vary: 'Accept-Encoding',
    'openai-model': 'gpt-4o-mini',
    'openai-processing-ms': '187',
    'x-ratelimit-remaining-requests': '9999',
    'set-cookie': ['__cf_bm=abc; path=/', 'other=1'],
    'set-cookie2': 'legacy=1',
    date: 'Tue, 01 Dec 2026 10:00:00 GMT',
    age: '3',
    'x-request-id': 'req_first_client',
    'x-proxy': 'llm-proxy',
    'x-proxy-received-at': '2026-12-01T10:00:00.000Z',
    'x-proxy-first-response-at': '2026-12-01T10:00:00.100Z',
    'x-proxy-cache': 'stored',
    'x-proxy-cache-key': 'p1|GET|/v1/models|none',
    'x-upstream-request-start': '1',
    'x-upstream-request-stop': '2',
    'access-control-allow-origin': 'https://first.example',
    'access-control-expose-headers': 'x-request-id',
    'cache-status': 'upstream-cdn; hit',
    connection: 'keep-alive, x-hop',
    'keep-alive': 'timeout=5',
    'transfer-encoding': 'chunked',
    'proxy-authenticate': 'Basic',
    'proxy-connection': 'keep-alive',
    upgrade: 'h2c',
    trailer: 'x-checksum',
    te: 'trailers',
    'x-hop': 'named in Connection',
    'x-absent': undefined,
  };

  const kept = {
    'content-type': 'application/json',
    'content-length': '42',
    'cache-control': 'public, max-age=60',
    etag: 'W/"v1"',
    'last-modified': 'Tue, 01 Dec 2026 10:00:00 GMT',
    vary: 'Accept-Encoding',
    'openai-model': 'gpt-4o-mini',
    'openai-processing-ms': '187',
    'x-ratelimit-remaining-requests': '9999',
  };

  it("keeps the upstream's own headers byte for byte and drops those of one exchange", () => {
    const plan = planStore(facts({ headers: upstream, maxObjectBytes: 10_000 }));
    expect(plan.store && plan.headers).toEqual(kept);
  });

  it('rewrites Cache-Control to the forced lifetime, so a hit tells its client', () => {
    const plan = planStore(facts({ headers: upstream, maxObjectBytes: 10_000, forcedTtlMs: 90_000 }));
    expect(plan.store && plan.headers).toEqual({ ...kept, 'cache-control': 'public, max-age=90' });
  });

  it('adds Cache-Control when the upstream sent none and the TTL was forced', () => {
    const plan = planStore(facts({ headers: { 'content-type': 'application/json' }, forcedTtlMs: 1_500 }));
    expect(plan.store && plan.headers).toEqual({
      'content-type': 'application/json',
      'cache-control': 'public, max-age=2',
    });
  });

  it('keeps repeated header values as a list, not the caller’s array', () => {
    const links = ['<a>; rel="a"', '<b>; rel="b"'];
    const plan = planStore(facts({ headers: { ...PUBLIC, link: links } }));
    const stored = plan.store ? plan.headers.link : undefined;
    expect(stored).toEqual(links);
    expect(stored).not.toBe(links);
  });
});
