import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { ConfigError, resolveConfig } from '../../src/config/index.js';
import type { ProvidersConfig } from '../../src/config/index.js';

const shipped = new URL('../../config/api_providers.yaml', import.meta.url).pathname;

function providers(env: Record<string, string>): ProvidersConfig {
  return resolveConfig({ env }, ['providers']).providers;
}

function origins(config: ProvidersConfig): Record<string, string> {
  return Object.fromEntries([...config.providers.values()].map(({ name, origin }) => [name, origin]));
}

function problems(env: Record<string, string>): string[] {
  try {
    resolveConfig({ env }, ['providers']);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('per-provider base URL overrides', () => {
  it('OPENAI_API_URL points the openai provider of a provider file elsewhere', () => {
    const config = providers({ API_CONFIG_PATH: shipped, OPENAI_API_URL: 'http://127.0.0.1:4010/v1' });
    expect(config.source).toBe(shipped);
    expect(origins(config)).toEqual({
      openai: 'http://127.0.0.1:4010',
      anthropic: 'https://api.anthropic.com',
    });
  });

  it('LLM_PROXY_PROVIDER_<NAME>_BASE_URL does it for any provider, and wins over OPENAI_API_URL', () => {
    const config = providers({
      API_CONFIG_PATH: shipped,
      OPENAI_API_URL: 'http://127.0.0.1:1',
      LLM_PROXY_PROVIDER_OPENAI_BASE_URL: 'http://127.0.0.1:2',
      LLM_PROXY_PROVIDER_ANTHROPIC_BASE_URL: 'http://127.0.0.1:3',
    });
    expect(origins(config)).toEqual({ openai: 'http://127.0.0.1:2', anthropic: 'http://127.0.0.1:3' });
  });

  it('a provider name with a dash is spelt with an underscore', () => {
    const dir = mkdtempSync(join(tmpdir(), 'llm-proxy-overrides-'));
    const path = join(dir, 'providers.yaml');
    writeFileSync(
      path,
      'default_api: my-llm\napis:\n  my-llm:\n    base_url: https://llm.example.com\n    allowed_endpoints: [/v1/chat/completions]\n    allowed_methods: [POST]\n',
    );
    const config = providers({
      API_CONFIG_PATH: path,
      LLM_PROXY_PROVIDER_MY_LLM_BASE_URL: 'http://10.0.0.1:8000',
    });
    expect(origins(config)).toEqual({ 'my-llm': 'http://10.0.0.1:8000' });
  });

  it('an override that is not an http(s) URL stops the start, naming the variable', () => {
    expect(problems({ LLM_PROXY_PROVIDER_ANTHROPIC_BASE_URL: 'ftp://x', OPENAI_API_URL: 'nope' })).toEqual([
      'LLM_PROXY_PROVIDER_ANTHROPIC_BASE_URL: "ftp://x" is not an http(s) URL',
      'OPENAI_API_URL: "nope" is not an http(s) URL',
    ]);
  });

  it('a dotenv file given as the provider file is said to be one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'llm-proxy-overrides-'));
    const path = join(dir, '.env');
    writeFileSync(path, 'MANAGEMENT_TOKEN=abc\nLOG_LEVEL=info\n');
    expect(problems({ API_CONFIG_PATH: path })).toEqual([
      `${path}: this is a dotenv file (KEY=value lines), not a provider file (default_api and apis); a dotenv file is given with --env`,
    ]);
  });
});
