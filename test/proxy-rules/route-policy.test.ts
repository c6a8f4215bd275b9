import { describe, expect, it } from 'vitest';

import { parseProviders } from '../../src/config/index.js';
import type { ProviderConfig } from '../../src/config/index.js';
import { anyProviderVerdict, endpointOf, routeVerdict } from '../../src/proxy/route-policy.js';

function providers(): ProviderConfig[] {
  const parsed = parseProviders(
    {
      default_api: 'openai',
      apis: {
        openai: {
          base_url: 'https://api.openai.com',
          allowed_endpoints: ['/v1/chat/completions', '/v1/files'],
          allowed_methods: ['GET', 'POST'],
        },
        anthropic: {
          base_url: 'https://api.anthropic.com',
          allowed_endpoints: ['/v1/messages'],
          allowed_methods: ['POST', 'DELETE'],
        },
      },
    },
    'test',
    undefined,
  );
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return [...parsed.value.providers.values()];
}

describe('route policy', () => {
  const [openai, anthropic] = providers() as [ProviderConfig, ProviderConfig];

  it('allows an endpoint and the paths below it, not look-alike prefixes', () => {
    expect(endpointOf(openai, '/v1/files')).toBe('/v1/files');
    expect(endpointOf(openai, '/v1/files/file-abc/content')).toBe('/v1/files');
    expect(endpointOf(openai, '/v1/filesystem')).toBeUndefined();
    expect(endpointOf(openai, '/v1/chat')).toBeUndefined();
  });

  it('tells an unknown endpoint from a disallowed method', () => {
    expect(routeVerdict(openai, 'POST', '/v1/chat/completions')).toBe('ok');
    expect(routeVerdict(openai, 'DELETE', '/v1/files/x')).toBe('method_not_allowed');
    expect(routeVerdict(openai, 'GET', '/v1/nope')).toBe('endpoint_not_found');
  });

  it('before the token is known, accepts what any provider serves', () => {
    expect(anyProviderVerdict([openai, anthropic], 'POST', '/v1/messages')).toBe('ok');
    expect(anyProviderVerdict([openai, anthropic], 'DELETE', '/v1/files/x')).toBe('method_not_allowed');
    expect(anyProviderVerdict([openai, anthropic], 'GET', '/v2/anything')).toBe('endpoint_not_found');
  });
});
