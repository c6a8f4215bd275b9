import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'dotenv';
import { describe, expect, it } from 'vitest';

import { createApiKeyCipher, decodeEncryptionKey, hashToken } from '../../src/core/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { runCli, tempDirPerTest } from './cli-harness.js';

const API_KEY = 'sk-proj-setup-test-abcdefghijklmnopqrstuvwxyz';
const RAW_TOKEN = /sk-[A-Za-z0-9_-]{22}/;
const HOUR_MS = 3_600_000;

const newDir = tempDirPerTest();

function readEnv(path: string): Record<string, string> {
  return parse(readFileSync(path, 'utf8'));
}

/** Opens the database a setup wrote, with the encryption key it wrote. */
async function withSetupStore<T>(
  env: Record<string, string>,
  work: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStore({
    database: { driver: 'sqlite', path: env.DATABASE_PATH ?? '' },
    cipher: createApiKeyCipher(decodeEncryptionKey(env.ENCRYPTION_KEY ?? '')),
  });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

describe('llm-proxy setup (non-interactive)', () => {
  it('writes a 0600 dotenv with generated secrets, keeps other lines, migrates and creates project and token', async () => {
    const cwd = newDir();
    const envFile = join(cwd, '.env');
    writeFileSync(envFile, '# mine\nKEEP_ME=yes\n', { mode: 0o644 });
    const db = join(cwd, 'data', 'setup.db');
    const before = Date.now();
    const result = await runCli(
      [
        'setup',
        '--openai-key',
        API_KEY,
        '--db',
        db,
        '--addr',
        '127.0.0.1:9090',
        '--project',
        'Team',
        '--duration',
        '48',
      ],
      { cwd },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);

    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    const text = readFileSync(envFile, 'utf8');
    expect(text.startsWith('# mine\nKEEP_ME=yes\n')).toBe(true);
    expect(text).not.toContain(API_KEY);
    const env = readEnv(envFile);
    expect(env.MANAGEMENT_TOKEN).toMatch(/^[0-9a-f]{64}$/);
    expect(decodeEncryptionKey(env.ENCRYPTION_KEY ?? '')).toBeDefined();
    expect(env).toMatchObject({ DATABASE_PATH: db, LISTEN_ADDR: '127.0.0.1:9090', LOG_LEVEL: 'info' });
    expect(result.stdout).toContain(env.MANAGEMENT_TOKEN);

    const token = RAW_TOKEN.exec(result.stdout)?.[0] ?? '';
    expect(token).not.toBe('');
    await withSetupStore(env, async (store) => {
      const projects = await store.projects.list();
      expect(projects.map((project) => [project.name, project.apiKey])).toEqual([['Team', API_KEY]]);
      const record = await store.tokens.findByHash(hashToken(token));
      expect(record?.projectId).toBe(projects[0]?.id);
      expect(record?.isActive).toBe(true);
      const lifetime = (record?.expiresAt?.getTime() ?? 0) - before;
      expect(lifetime).toBeGreaterThan(47.9 * HOUR_MS);
      expect(lifetime).toBeLessThan(48.1 * HOUR_MS);
      expect((await store.migrations.status()).every((state) => state.executedAt !== undefined)).toBe(true);
    });

    // Running it again keeps the secrets and reuses the project.
    const again = await runCli(['setup', '--openai-key', API_KEY, '--project', 'Team'], { cwd });
    expect(again.code).toBe(0);
    const after = readEnv(envFile);
    expect(after.MANAGEMENT_TOKEN).toBe(env.MANAGEMENT_TOKEN);
    expect(after.ENCRYPTION_KEY).toBe(env.ENCRYPTION_KEY);
    expect(after.DATABASE_PATH).toBe(db);
    expect(again.stdout).toContain('already exists');
    await withSetupStore(after, async (store) => {
      expect(await store.projects.list()).toHaveLength(1);
      expect(await store.tokens.list()).toHaveLength(2);
    });
  });

  it('without an OpenAI key writes the configuration, migrates and skips the project with a notice', async () => {
    const cwd = newDir();
    const result = await runCli(['setup', '--management-token', 'given-token-123'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('No OpenAI API key given');
    expect(result.stdout).not.toContain('given-token-123');
    const env = readEnv(join(cwd, '.env'));
    expect(env).toMatchObject({
      MANAGEMENT_TOKEN: 'given-token-123',
      DATABASE_PATH: 'data/llm-proxy.db',
      LISTEN_ADDR: 'localhost:8080',
    });
    await withSetupStore({ ...env, DATABASE_PATH: join(cwd, 'data', 'llm-proxy.db') }, async (store) => {
      expect(await store.projects.list()).toEqual([]);
      expect((await store.migrations.status()).every((state) => state.executedAt !== undefined)).toBe(true);
    });
  });

  it('is not stopped by settings it does not use, such as a provider file that does not exist', async () => {
    const cwd = newDir();
    const result = await runCli(['setup', '--skip-project'], {
      cwd,
      env: { API_CONFIG_PATH: join(cwd, 'missing-providers.yaml'), METRICS_PATH: 'nope' },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    await withSetupStore(
      { ...readEnv(join(cwd, '.env')), DATABASE_PATH: join(cwd, 'data', 'llm-proxy.db') },
      async (store) => {
        expect((await store.migrations.status()).every((state) => state.executedAt !== undefined)).toBe(true);
      },
    );
  });

  it('--skip-project creates no project even with a key; --config names the file', async () => {
    const cwd = newDir();
    const result = await runCli(
      ['setup', '--config', 'conf/prod.env', '--openai-key', API_KEY, '--skip-project'],
      {
        cwd,
      },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(RAW_TOKEN);
    const env = readEnv(join(cwd, 'conf', 'prod.env'));
    await withSetupStore({ ...env, DATABASE_PATH: join(cwd, 'data', 'llm-proxy.db') }, async (store) => {
      expect(await store.projects.list()).toEqual([]);
    });
  });

  it('--duration takes explicit units (90m) while a bare number stays hours', async () => {
    const cwd = newDir();
    const before = Date.now();
    const result = await runCli(
      ['setup', '--openai-key', API_KEY, '--db', join(cwd, 'd.db'), '--duration', '90m'],
      {
        cwd,
      },
    );
    expect(result.code).toBe(0);
    const token = RAW_TOKEN.exec(result.stdout)?.[0] ?? '';
    await withSetupStore(readEnv(join(cwd, '.env')), async (store) => {
      const record = await store.tokens.findByHash(hashToken(token));
      const lifetime = (record?.expiresAt?.getTime() ?? 0) - before;
      expect(lifetime).toBeGreaterThan(89 * 60_000);
      expect(lifetime).toBeLessThan(91 * 60_000);
    });
  });

  it('rejects an invalid --duration with one line and exit 2', async () => {
    const result = await runCli(['setup', '--duration', 'abc'], { cwd: newDir() });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain("'--duration <duration>' argument 'abc' is invalid");
  });
});

describe('llm-proxy setup --interactive', () => {
  it('takes piped answers, re-asks invalid ones and creates the project and token', async () => {
    const cwd = newDir();
    const db = join(cwd, 'answers.db');
    const answers = [API_KEY, '', db, 'not-an-address', '127.0.0.1:7070', 'y', 'Piped', 'soon', '2', ''].join(
      '\n',
    );
    const before = Date.now();
    const result = await runCli(['setup', '--interactive'], { cwd, input: answers });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('OpenAI API key');
    expect(result.stderr).toContain('is not a listen address');
    expect(result.stderr).toContain(
      '"soon" is not a duration: use a unit (90m, 24h, 7d) or a bare number of hours',
    );

    const envFile = join(cwd, '.env');
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    const env = readEnv(envFile);
    expect(env).toMatchObject({ DATABASE_PATH: db, LISTEN_ADDR: '127.0.0.1:7070' });
    expect(env.MANAGEMENT_TOKEN).toMatch(/^[0-9a-f]{64}$/);
    const token = RAW_TOKEN.exec(result.stdout)?.[0] ?? '';
    await withSetupStore(env, async (store) => {
      const [project] = await store.projects.list();
      expect(project?.name).toBe('Piped');
      const record = await store.tokens.findByHash(hashToken(token));
      expect(record?.projectId).toBe(project?.id);
      const lifetime = (record?.expiresAt?.getTime() ?? 0) - before;
      expect(lifetime).toBeGreaterThan(1.9 * HOUR_MS);
      expect(lifetime).toBeLessThan(2.1 * HOUR_MS);
    });
  });

  it('uses the defaults when the input ends early', async () => {
    const cwd = newDir();
    const result = await runCli(['setup', '--interactive', '--db', join(cwd, 'eof.db')], { cwd, input: '' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('No OpenAI API key given');
    expect(readEnv(join(cwd, '.env'))).toMatchObject({
      DATABASE_PATH: join(cwd, 'eof.db'),
      LISTEN_ADDR: 'localhost:8080',
    });
  });
});
