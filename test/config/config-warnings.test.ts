import { describe, expect, it } from 'vitest';

import { configWarnings, resolveConfig } from '../../src/config/index.js';
import type { ConfigSources } from '../../src/config/index.js';

const BASE = { MANAGEMENT_TOKEN: 'm'.repeat(32), DATABASE_PATH: ':memory:' };

function warningsOf(sources: ConfigSources): string[] {
  const withBase = { ...sources, env: { ...BASE, ...sources.env } };
  return configWarnings(withBase, resolveConfig(withBase), { commandVariables: ['ENV', 'PID_FILE'] });
}

describe('configuration warnings at start', () => {
  it('a clean configuration has none, and variables of other programs are left alone', () => {
    expect(
      warningsOf({
        env: { HOME: '/root', EDITOR: 'vi', ANTHROPIC_API_KEY: 'k', ENV: '.env', PID_FILE: 'p' },
      }),
    ).toEqual([]);
  });

  it('an unknown key of the dotenv file is named with the likely intended variable', () => {
    const warnings = warningsOf({ dotenv: { LOG_LEVLE: 'debug', SOMETHING_ELSE: '1' } });
    expect(warnings).toContain(
      'LOG_LEVLE (.env): unknown variable, it has no effect (did you mean LOG_LEVEL?)',
    );
    expect(warnings).toContain('SOMETHING_ELSE (.env): unknown variable, it has no effect');
  });

  it('an unknown environment variable with a known prefix is warned about, others are not', () => {
    const warnings = warningsOf({
      env: { LLM_PROXY_ENFORCE_PROJECT_ACTIV: 'false', DATABASE_POOLSIZE: '3', MY_APP_SETTING: 'x' },
    });
    expect(warnings).toEqual([
      'LLM_PROXY_ENFORCE_PROJECT_ACTIV (environment): unknown variable, it has no effect (did you mean LLM_PROXY_ENFORCE_PROJECT_ACTIVE?)',
      'DATABASE_POOLSIZE (environment): unknown variable, it has no effect (did you mean DATABASE_POOL_SIZE?)',
    ]);
  });

  it("the original program's variables that are not implemented are said to be not supported, not unknown", () => {
    const warnings = warningsOf({
      dotenv: { LOG_BINARY_RESPONSES: '1', REDIS_CACHE_POOL_SIZE: '50' },
      env: { REQUEST_TIMEOUT: '30s' },
    });
    expect(warnings).toEqual([
      expect.stringMatching(/^LOG_BINARY_RESPONSES \(\.env\): not supported: .*; it has no effect$/),
      expect.stringMatching(/^REDIS_CACHE_POOL_SIZE \(\.env\): not supported: the Redis cache pipelines/),
      expect.stringMatching(/^REQUEST_TIMEOUT \(environment\): not supported: a total request timeout/),
    ]);
  });

  it("an SDK's base-URL variable points to the one llm-proxy reads", () => {
    expect(warningsOf({ env: { OPENAI_BASE_URL: 'http://127.0.0.1:9' } })).toEqual([
      'OPENAI_BASE_URL (environment): unknown variable, it has no effect (did you mean OPENAI_API_URL?)',
    ]);
  });

  it('a setting that another one makes irrelevant is warned about', () => {
    const warnings = warningsOf({
      env: {
        DATABASE_URL: 'postgres://x@127.0.0.1/db',
        ENABLE_METRICS: 'false',
        METRICS_PATH: '/stats',
        REDIS_INVALIDATION_CHANNEL: 'mine',
        REDIS_CACHE_TIMEOUT: '1s',
      },
    });
    expect(warnings).toEqual([
      'DATABASE_URL: has no effect with DB_DRIVER=sqlite',
      'METRICS_PATH: has no effect with ENABLE_METRICS=false',
      'REDIS_INVALIDATION_CHANNEL: has no effect without Redis',
      'REDIS_CACHE_TIMEOUT: has no effect with HTTP_CACHE_BACKEND=memory',
    ]);
    expect(warningsOf({ env: { HTTP_CACHE_ENABLED: 'false', HTTP_CACHE_SHARED: 'true' } })).toEqual([
      'HTTP_CACHE_SHARED: has no effect with HTTP_CACHE_ENABLED=false',
    ]);
  });

  it('a base-URL override for a provider that does not exist names the providers there are', () => {
    const warnings = warningsOf({ env: { LLM_PROXY_PROVIDER_OPENIA_BASE_URL: 'http://127.0.0.1:9' } });
    expect(warnings).toEqual([
      expect.stringMatching(
        /^LLM_PROXY_PROVIDER_OPENIA_BASE_URL: has no effect: no provider is named openia \(.* defines openai, anthropic\) \(did you mean LLM_PROXY_PROVIDER_OPENAI_BASE_URL\?\)$/,
      ),
    ]);
  });
});
