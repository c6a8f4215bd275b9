import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import {
  ConfigError,
  defaultProvidersDocument,
  loadProviders,
  resolveConfig,
} from '../../src/config/index.js';

const shipped = new URL('../../config/api_providers.yaml', import.meta.url).pathname;

function writeYaml(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'llm-proxy-providers-')), 'providers.yaml');
  writeFileSync(path, text);
  return path;
}

function problemsOf(path: string): string[] {
  const loaded = loadProviders({ path, pathExplicit: true, defaultProvider: undefined, openaiUrl: 'x' });
  return loaded.ok ? [] : loaded.problems;
}

describe('provider configuration', () => {
  it('ships OpenAI and Anthropic, identical to the built-in definitions', () => {
    const document = parse(readFileSync(shipped, 'utf8')) as unknown;
    expect(document).toEqual(defaultProvidersDocument('https://api.openai.com'));
    const loaded = loadProviders({
      path: shipped,
      pathExplicit: true,
      defaultProvider: undefined,
      openaiUrl: '',
    });
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    expect(loaded.value.defaultProvider).toBe('openai');
    expect(loaded.value.providers.get('openai')?.auth).toEqual({ header: 'authorization', scheme: 'Bearer' });
    expect(loaded.value.providers.get('anthropic')?.auth).toEqual({ header: 'x-api-key', scheme: '' });
    expect(loaded.value.providers.get('openai')?.timeouts).toEqual({
      connect: 10_000,
      responseHeader: 600_000,
      idleRead: 300_000,
      idleConnection: 90_000,
    });
  });

  it('falls back to the built-in providers only when the default path has no file', () => {
    const fallback = loadProviders({
      path: '/nonexistent/api_providers.yaml',
      pathExplicit: false,
      defaultProvider: undefined,
      openaiUrl: 'http://127.0.0.1:9999',
    });
    expect(fallback.ok && fallback.value.providers.get('openai')?.origin).toBe('http://127.0.0.1:9999');
    expect(problemsOf('/nonexistent/api_providers.yaml')).toEqual([
      'API_CONFIG_PATH: file not found: /nonexistent/api_providers.yaml',
    ]);
  });

  it('reads the original schema, with only scheme and host of base_url used', () => {
    const path = writeYaml(`
default_api: openai
apis:
  openai:
    base_url: https://api.openai.com/v1/ignored
    allowed_endpoints: [/v1/chat/completions]
    allowed_methods: [get, post]
    timeouts: { request: 120s, response_header: 30s, idle_connection: 90s, flush_interval: 10ms }
    connection: { max_idle_conns: 100, max_idle_conns_per_host: 20 }
    param_whitelist: { model: [gpt-4o, gpt-4o-*] }
    allowed_origins: [https://www.example.com]
    required_headers: [Origin]
`);
    const loaded = loadProviders({ path, pathExplicit: true, defaultProvider: undefined, openaiUrl: '' });
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const openai = loaded.value.providers.get('openai');
    expect(openai).toMatchObject({
      origin: 'https://api.openai.com',
      allowedMethods: ['GET', 'POST'],
      paramWhitelist: { model: ['gpt-4o', 'gpt-4o-*'] },
      allowedOrigins: ['https://www.example.com'],
      requireOrigin: true,
      maxConnections: undefined,
    });
    expect(openai?.timeouts.responseHeader).toBe(30_000);
  });

  it('shapes errors like Anthropic for a provider that takes its key in x-api-key, unless error_format says otherwise', () => {
    const path = writeYaml(`
default_api: openai
apis:
  openai: { base_url: https://api.openai.com, allowed_endpoints: [/v1/chat], allowed_methods: [POST] }
  anthropic:
    base_url: https://api.anthropic.com
    auth: { header: x-api-key, scheme: '' }
    allowed_endpoints: [/v1/messages]
    allowed_methods: [POST]
  gateway:
    base_url: https://gateway.example
    auth: { header: x-api-key, scheme: '' }
    allowed_endpoints: [/v1/chat]
    allowed_methods: [POST]
    error_format: openai
  claude-behind-bearer:
    base_url: https://claude.example
    allowed_endpoints: [/v1/messages]
    allowed_methods: [POST]
    error_format: anthropic
`);
    const loaded = loadProviders({ path, pathExplicit: true, defaultProvider: undefined, openaiUrl: '' });
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const formats = [...loaded.value.providers.values()].map((p) => [p.name, p.errorFormat]);
    expect(formats).toEqual([
      ['openai', 'openai'],
      ['anthropic', 'anthropic'],
      ['gateway', 'openai'],
      ['claude-behind-bearer', 'anthropic'],
    ]);
    const invalid = writeYaml(`
default_api: openai
apis:
  openai: { base_url: https://api.openai.com, allowed_endpoints: [/v1/chat], allowed_methods: [POST], error_format: xml }
`);
    expect(problemsOf(invalid)).toEqual([
      `${invalid}: apis.openai.error_format: must be openai or anthropic`,
    ]);
  });

  it('asks OpenAI-style streams for usage unless request_stream_usage says otherwise', () => {
    const path = writeYaml(`
default_api: openai
apis:
  openai: { base_url: https://api.openai.com, allowed_endpoints: [/v1/chat], allowed_methods: [POST] }
  anthropic:
    base_url: https://api.anthropic.com
    auth: { header: x-api-key, scheme: '' }
    allowed_endpoints: [/v1/messages]
    allowed_methods: [POST]
  strict-compatible:
    base_url: https://compatible.example
    allowed_endpoints: [/v1/chat]
    allowed_methods: [POST]
    request_stream_usage: false
`);
    const loaded = loadProviders({ path, pathExplicit: true, defaultProvider: undefined, openaiUrl: '' });
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const asks = [...loaded.value.providers.values()].map((p) => [p.name, p.requestStreamUsage]);
    expect(asks).toEqual([
      ['openai', true],
      ['anthropic', false],
      ['strict-compatible', false],
    ]);
    const invalid = writeYaml(`
default_api: openai
apis:
  openai: { base_url: https://api.openai.com, allowed_endpoints: [/v1/chat], allowed_methods: [POST], request_stream_usage: sometimes }
`);
    expect(problemsOf(invalid)).toEqual([
      `${invalid}: apis.openai.request_stream_usage: must be true or false`,
    ]);
  });

  it('lists every problem of an invalid file', () => {
    const path = writeYaml(`
default_api: missing
apis:
  broken:
    base_url: ftp://example.com
    allowed_endpoints: [v1/chat]
    allowed_methods: [FETCH]
    timeouts: { connect: soon }
    allowed_endpoint: [/typo]
    required_headers: [x-custom]
  empty:
    base_url: ''
`);
    const problems = problemsOf(path);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('apis.broken: unknown key "allowed_endpoint"'),
        expect.stringContaining('base_url "ftp://example.com" is not an http(s) URL'),
        expect.stringContaining('"v1/chat" must start with /'),
        expect.stringContaining('"FETCH" is not an HTTP method'),
        expect.stringContaining('timeouts.connect'),
        expect.stringContaining('only "origin" is supported'),
        expect.stringContaining('apis.empty: base_url is required'),
        expect.stringContaining('apis.empty.allowed_endpoints: must be a non-empty list'),
        expect.stringContaining("default API 'missing' not found"),
      ]),
    );
  });

  it('reports YAML syntax errors with the file name', () => {
    expect(problemsOf(writeYaml('apis: [unclosed'))[0]).toMatch(/providers\.yaml: not valid YAML/);
  });

  it('stops the program with every problem at once, provider file included', () => {
    const path = writeYaml('default_api: openai\napis: {}\n');
    try {
      resolveConfig({ env: { API_CONFIG_PATH: path, LOG_LEVEL: 'loud' } });
      throw new Error('expected a ConfigError');
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      expect(error.problems).toEqual(
        expect.arrayContaining([
          expect.stringContaining('MANAGEMENT_TOKEN'),
          expect.stringContaining('LOG_LEVEL'),
          expect.stringContaining('no API providers configured'),
        ]),
      );
    }
  });

  it('lets DEFAULT_API_PROVIDER choose among the defined providers', () => {
    const config = resolveConfig({
      env: { MANAGEMENT_TOKEN: 't', API_CONFIG_PATH: shipped, DEFAULT_API_PROVIDER: 'anthropic' },
    });
    expect(config.providers.defaultProvider).toBe('anthropic');
    expect(() =>
      resolveConfig({
        env: { MANAGEMENT_TOKEN: 't', API_CONFIG_PATH: shipped, DEFAULT_API_PROVIDER: 'mistral' },
      }),
    ).toThrow(/default API 'mistral' not found/);
  });

  it('understands proxy limits with units', () => {
    const config = resolveConfig({
      env: {
        MANAGEMENT_TOKEN: 't',
        MAX_REQUEST_SIZE: '10MB',
        TOKEN_CACHE_TTL: '1m',
        CIRCUIT_BREAKER_COOLDOWN: '5s',
      },
    });
    expect(config.proxy).toMatchObject({
      maxRequestSize: 10 * 1024 * 1024,
      tokenCacheTtlMs: 60_000,
      breakerCooldownMs: 5000,
    });
    expect(() => resolveConfig({ env: { MANAGEMENT_TOKEN: 't', MAX_REQUEST_SIZE: 'lots' } })).toThrow(
      /MAX_REQUEST_SIZE/,
    );
  });
});
