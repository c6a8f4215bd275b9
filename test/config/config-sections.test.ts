import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';

import {
  ALL_SECTIONS,
  ConfigError,
  SECRET_VARIABLES,
  VARIABLES,
  resolveConfig,
  writtenDefault,
} from '../../src/config/index.js';
import type { ConfigSection, ConfigSources } from '../../src/config/index.js';

const token = { MANAGEMENT_TOKEN: 'management-token-for-tests' };

const PROPERTIES: Record<ConfigSection, readonly string[]> = {
  server: ['managementToken', 'managementAuth', 'listen'],
  connections: ['connections'],
  database: ['database'],
  encryption: ['encryption'],
  log: ['log'],
  audit: ['audit'],
  providers: ['providers'],
  proxy: ['proxy'],
  cache: ['cache'],
  events: ['events'],
  dispatcher: ['dispatcher'],
  usage: ['usage'],
  metrics: ['metrics'],
  admin: ['admin'],
  redis: ['redis'],
};

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

function redis(env: ConfigSources['env']) {
  return resolveConfig({ env }, ['redis']).redis;
}

describe('configuration by section', () => {
  it('mounts the admin UI under /admin by default and refuses paths the server answers itself', () => {
    expect(resolveConfig({ env: {} }, ['admin']).admin).toEqual({
      enabled: true,
      path: '/admin',
      session: { idleTimeoutMs: 1_800_000, maxAgeMs: 43_200_000, rememberMeMaxAgeMs: 2_592_000_000 },
      sessionStore: { type: 'memory' },
    });
    expect(resolveConfig({ env: { ADMIN_UI_PATH: '/ops/ui/' } }, ['admin']).admin.path).toBe('/ops/ui');
    for (const path of ['/', 'admin', '/manage', '/v1/admin', '/metrics', '/a b']) {
      expect(
        problemsOf(() => resolveConfig({ env: { ADMIN_UI_PATH: path } }, ['admin'])),
        path,
      ).toEqual([expect.stringContaining('ADMIN_UI_PATH')]);
    }
  });

  it('keeps admin sessions in the shared Redis when asked, under the configured prefix', () => {
    const admin = (env: ConfigSources['env']) => resolveConfig({ env }, ['admin']).admin.sessionStore;
    expect(admin({ ADMIN_UI_SESSION_STORE: 'redis', REDIS_URL: 'redis://cache.internal:6380/2' })).toEqual({
      type: 'redis',
      url: 'redis://cache.internal:6380/2',
      keyPrefix: 'llm-proxy:admin-session:',
    });
    expect(
      admin({
        ADMIN_UI_SESSION_STORE: 'Redis',
        REDIS_ADDR: 'cache.internal:6379',
        REDIS_DB: '4',
        ADMIN_UI_SESSION_KEY_PREFIX: 'staging:sessions:',
      }),
    ).toEqual({ type: 'redis', url: 'redis://cache.internal:6379/4', keyPrefix: 'staging:sessions:' });
    expect(admin({ ADMIN_UI_SESSION_STORE: 'memory', REDIS_URL: 'redis://cache.internal' })).toEqual({
      type: 'memory',
    });
  });

  it('refuses a redis session store without Redis and an unknown store, among the other problems', () => {
    expect(
      problemsOf(() =>
        resolveConfig({ env: { ADMIN_UI_SESSION_STORE: 'redis', LOG_LEVEL: 'loud' } }, ['log', 'admin']),
      ),
    ).toEqual([
      expect.stringContaining('LOG_LEVEL'),
      'ADMIN_UI_SESSION_STORE: redis needs REDIS_URL or REDIS_ADDR',
    ]);
    expect(problemsOf(() => resolveConfig({ env: { ADMIN_UI_SESSION_STORE: 'cookie' } }, ['admin']))).toEqual(
      ['ADMIN_UI_SESSION_STORE: "cookie" is not one of memory, redis'],
    );
    expect(
      problemsOf(() =>
        resolveConfig(
          {
            env: { ADMIN_UI_SESSION_STORE: 'redis', REDIS_URL: 'redis://x', ADMIN_UI_SESSION_KEY_PREFIX: '' },
          },
          ['admin'],
        ),
      ),
    ).toEqual([expect.stringContaining('ADMIN_UI_SESSION_KEY_PREFIX')]);
  });

  it('resolves each section alone, with only its own properties', () => {
    for (const section of ALL_SECTIONS) {
      const config = resolveConfig({ env: token }, [section]);
      expect(Object.keys(config).sort(), section).toEqual([...PROPERTIES[section]].sort());
      expect(Object.isFrozen(config)).toBe(true);
    }
    expect(Object.keys(resolveConfig({ env: token })).sort()).toEqual(
      Object.values(PROPERTIES).flat().sort(),
    );
  });

  it('the database sections need no management token and ignore problems of the other sections', () => {
    const config = resolveConfig(
      {
        env: {
          DATABASE_PATH: 'state.db',
          LISTEN_ADDR: 'nope',
          API_CONFIG_PATH: '/nonexistent/providers.yaml',
          REDIS_DB: '3',
          LOG_LEVEL: 'loud',
        },
      },
      ['database', 'encryption'],
    );
    expect(config).toEqual({
      database: { driver: 'sqlite', path: 'state.db' },
      encryption: { key: undefined, previousKeys: [], required: false },
    });
    // @ts-expect-error: a section that was not resolved is not part of the type either.
    expect(config.managementToken).toBeUndefined();
    expect(problemsOf(() => resolveConfig({ env: {} }, ['server']))).toEqual([
      'MANAGEMENT_TOKEN: required (run `llm-proxy setup` to generate one)',
    ]);
  });

  it('lists the problems of the requested sections in the declared order, whatever order they are named in', () => {
    const env = { DB_DRIVER: 'mysql', LOG_LEVEL: 'loud', REDIS_DB: '300', LISTEN_ADDR: 'nope' };
    const named = (sections: readonly ConfigSection[]) =>
      problemsOf(() => resolveConfig({ env }, sections)).map((problem) => problem.split(':')[0]);
    expect(named(['redis', 'log', 'database'])).toEqual(['DB_DRIVER', 'LOG_LEVEL', 'REDIS_DB']);
    expect(named(ALL_SECTIONS)).toEqual([
      'MANAGEMENT_TOKEN',
      'LISTEN_ADDR',
      'DB_DRIVER',
      'LOG_LEVEL',
      'REDIS_DB',
    ]);
  });

  it('writing every default out gives the configuration of setting nothing', () => {
    const written: Record<string, string> = { ...token };
    for (const variable of VARIABLES) {
      const text = writtenDefault(variable);
      if (text === undefined) continue;
      expect(Value.Check(variable.schema, variable.default), variable.name).toBe(true);
      written[variable.name] = text;
    }
    expect(resolveConfig({ env: written })).toEqual(resolveConfig({ env: token }));
  });

  it('keeps ignoring variables it does not know (they belong to other programs)', () => {
    expect(resolveConfig({ env: { ...token, REDIS_PASSWORD_OF_SOMETHING_ELSE: 'x', PATH: '/bin' } })).toEqual(
      resolveConfig({ env: token }),
    );
  });
});

describe('the redis section', () => {
  it('has no Redis by default, and the invalidation channel llm-proxy:invalidation', () => {
    expect(redis({})).toEqual({ url: undefined, invalidationChannel: 'llm-proxy:invalidation' });
    expect(redis({ REDIS_URL: '', REDIS_ADDR: '' }).url).toBeUndefined();
    expect(redis({ REDIS_INVALIDATION_CHANNEL: 'tenant-a:invalidation' }).invalidationChannel).toBe(
      'tenant-a:invalidation',
    );
  });

  it('takes redis:// and rediss:// URLs, password included', () => {
    expect(redis({ REDIS_URL: 'redis://127.0.0.1:6379/2' }).url).toBe('redis://127.0.0.1:6379/2');
    expect(redis({ REDIS_URL: ' rediss://:pw@cache.internal:6380 ' }).url).toBe(
      'rediss://:pw@cache.internal:6380',
    );
    expect(SECRET_VARIABLES.has('REDIS_URL')).toBe(true);
  });

  it("turns the original's REDIS_ADDR and REDIS_DB into a URL", () => {
    expect(redis({ REDIS_ADDR: 'cache.internal:6379', REDIS_DB: '4' }).url).toBe(
      'redis://cache.internal:6379/4',
    );
    expect(redis({ REDIS_ADDR: 'localhost:6379' }).url).toBe('redis://localhost:6379/0');
    expect(redis({ REDIS_ADDR: '[::1]:6379', REDIS_DB: '' }).url).toBe('redis://[::1]:6379/0');
  });

  it('REDIS_URL wins over REDIS_ADDR and REDIS_DB', () => {
    expect(redis({ REDIS_URL: 'redis://primary:6379/1', REDIS_ADDR: 'other:6379', REDIS_DB: '9' }).url).toBe(
      'redis://primary:6379/1',
    );
  });

  it('refuses REDIS_DB without an address, bad addresses, databases and URLs — all at once, never echoing the URL', () => {
    const secretUrl = 'http://:hunter2-password@cache.internal:6379';
    const problems = problemsOf(() =>
      resolveConfig({ env: { REDIS_URL: secretUrl, REDIS_ADDR: 'localhost', REDIS_DB: '256' } }, ['redis']),
    );
    expect(problems).toEqual([
      'REDIS_URL: must be a redis:// or rediss:// URL with a host',
      'REDIS_ADDR: "localhost" is not a host:port address (examples: localhost:6379, [::1]:6379)',
      'REDIS_DB: 256 is out of range (0..255)',
    ]);
    expect(problems.join('\n')).not.toContain('hunter2');
    expect(problemsOf(() => redis({ REDIS_DB: '2' }))).toEqual([
      'REDIS_DB: set without REDIS_ADDR or REDIS_URL, so there is no Redis to select it on',
    ]);
    expect(problemsOf(() => redis({ REDIS_URL: 'redis://' }))).toHaveLength(1);
    expect(problemsOf(() => redis({ REDIS_INVALIDATION_CHANNEL: '' }))[0]).toMatch(
      /^REDIS_INVALIDATION_CHANNEL: /,
    );
  });
});
