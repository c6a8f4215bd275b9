import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { ConfigError, VARIABLES, resolveConfig } from '../../src/config/index.js';
import { README_PATH, readmeWithVariables } from '../../scripts/config-docs.js';

const token = { MANAGEMENT_TOKEN: 'management-token-for-tests' };

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('resolveConfig', () => {
  it('applies the original defaults', () => {
    const config = resolveConfig({ env: token });
    expect(config.listen).toEqual({ host: '', port: 8080 });
    expect(config.database).toEqual({ driver: 'sqlite', path: './data/llm-proxy.db' });
    expect(config.log).toEqual({ level: 'info', format: 'json', layout: 'pino', file: '', access: true });
    expect(config.audit).toEqual({
      enabled: true,
      file: './data/audit.log',
      createDir: true,
      storeInDb: true,
      retentionMs: 0,
    });
    expect(config.encryption).toEqual({ key: undefined, previousKeys: [], required: false });
    expect(Object.isFrozen(config.database)).toBe(true);
  });

  it('reads previous encryption keys and reports a bad one by position, never by value', () => {
    const current = Buffer.alloc(32, 1).toString('base64');
    const previous = Buffer.alloc(32, 2).toString('base64');
    const config = resolveConfig({
      env: { ...token, ENCRYPTION_KEY: current, ENCRYPTION_KEYS_PREVIOUS: ` ${previous} , ` },
    });
    expect(config.encryption.previousKeys).toEqual([Buffer.alloc(32, 2)]);
    const wrong = 'bm90LWEta2V5LXRoYXQtaXMtbG9uZw==';
    expect(() =>
      resolveConfig({
        env: { ...token, ENCRYPTION_KEY: current, ENCRYPTION_KEYS_PREVIOUS: `${previous},${wrong}` },
      }),
    ).toThrow(/ENCRYPTION_KEYS_PREVIOUS: entry 2 is not base64 of exactly 32 bytes/);
    try {
      resolveConfig({ env: { ...token, ENCRYPTION_KEYS_PREVIOUS: wrong } });
    } catch (error) {
      expect(String(error)).toContain('ENCRYPTION_KEYS_PREVIOUS: needs ENCRYPTION_KEY');
      expect(String(error)).not.toContain(wrong);
    }
  });

  it('reads AUDIT_RETENTION as a duration', () => {
    expect(resolveConfig({ env: { ...token, AUDIT_RETENTION: '90d' } }).audit.retentionMs).toBe(
      90 * 86_400_000,
    );
    expect(() => resolveConfig({ env: { ...token, AUDIT_RETENTION: 'ninety days' } })).toThrow(
      /AUDIT_RETENTION/,
    );
  });

  it('layers defaults < .env < environment < flags', () => {
    const config = resolveConfig({
      dotenv: { ...token, LISTEN_ADDR: ':1', LOG_LEVEL: 'warn', DATABASE_PATH: 'dotenv.db' },
      env: { LISTEN_ADDR: ':2', LOG_LEVEL: 'error' },
      flags: { LISTEN_ADDR: ':3' },
    });
    expect(config.listen.port).toBe(3);
    expect(config.log.level).toBe('error');
    expect(config.database).toEqual({ driver: 'sqlite', path: 'dotenv.db' });
  });

  it('reports every problem at once and never falls back silently', () => {
    const problems = problemsOf(() =>
      resolveConfig({
        env: {
          LISTEN_ADDR: 'nope',
          DB_DRIVER: 'mysql',
          LOG_LEVEL: 'loud',
          AUDIT_ENABLED: 'sometimes',
          ENCRYPTION_KEY: 'short',
          DATABASE_POOL_SIZE: '0',
        },
      }),
    );
    const named = problems.map((problem) => problem.split(':')[0]);
    expect(named).toEqual(
      expect.arrayContaining([
        'MANAGEMENT_TOKEN',
        'LISTEN_ADDR',
        'DB_DRIVER',
        'LOG_LEVEL',
        'AUDIT_ENABLED',
        'ENCRYPTION_KEY',
        'DATABASE_POOL_SIZE',
      ]),
    );
  });

  it('requires a database URL for PostgreSQL and a key when encryption is required', () => {
    const problems = problemsOf(() =>
      resolveConfig({ env: { ...token, DB_DRIVER: 'postgres', REQUIRE_ENCRYPTION_KEY: 'true' } }),
    );
    expect(problems).toEqual([
      'DATABASE_URL: required when DB_DRIVER=postgres',
      'ENCRYPTION_KEY: required because REQUIRE_ENCRYPTION_KEY=true',
    ]);
  });

  it('never echoes secret values in its messages', () => {
    const secret = 'c2VjcmV0LXRoYXQtaXMtbm90LTMyLWJ5dGVz';
    const problems = problemsOf(() => resolveConfig({ env: { ...token, ENCRYPTION_KEY: secret } }));
    expect(problems.join('\n')).not.toContain(secret);
  });

  it('DEBUG forces debug logging', () => {
    expect(resolveConfig({ env: { ...token, DEBUG: '1', LOG_LEVEL: 'error' } }).log.level).toBe('debug');
  });

  it('every variable is documented in the README configuration reference', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const variable of VARIABLES) expect(readme).toContain(`\`${variable.name}\``);
  });

  it('the README configuration reference is the one the declarations give (`npm run docs:config`)', async () => {
    const readme = readFileSync(README_PATH, 'utf8');
    expect(readme, 'README.md is stale: run `npm run docs:config`').toBe(await readmeWithVariables(readme));
    for (const variable of VARIABLES) {
      expect(readme).toMatch(new RegExp(`### ${variable.section}\\n[^#]*\\| \`${variable.name}\` +\\|`));
    }
  });
});
