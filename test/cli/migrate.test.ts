import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { createTestDatabase } from '../helpers/test-database.js';
import type { TestDatabase } from '../helpers/test-database.js';
import { runCli, tempDir } from './cli-harness.js';

const postgresAvailable = inject('postgresAvailable');

interface MigrationLine {
  name: string;
  state: string;
}

/** Parses `migrate status`: one indented line per migration. */
function statusLines(stdout: string): MigrationLine[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('  '))
    .map((line) => {
      const [name = '', ...rest] = line.trim().split(/\s+/);
      return { name, state: rest.join(' ') };
    });
}

/** Runs the up / status / down / status / up cycle with the given way of naming the database. */
async function cycle(args: readonly string[], env: Record<string, string>, cwd: string): Promise<void> {
  const before = await runCli(['migrate', 'status', ...args], { env, cwd });
  expect(before.stderr).toBe('');
  expect(before.code).toBe(0);
  const pending = statusLines(before.stdout);
  expect(pending.length).toBeGreaterThan(0);
  expect(pending.every((line) => line.state === 'pending')).toBe(true);

  const up = await runCli(['migrate', 'up', ...args], { env, cwd });
  expect(up.code).toBe(0);
  for (const { name } of pending) expect(up.stdout).toContain(name);

  const applied = statusLines((await runCli(['migrate', 'status', ...args], { env, cwd })).stdout);
  expect(applied.map((line) => line.name)).toEqual(pending.map((line) => line.name));
  for (const line of applied) expect(line.state).toMatch(/^applied \d{4}-\d{2}-\d{2}T/);

  const again = await runCli(['migrate', 'up', ...args], { env, cwd });
  expect(again.code).toBe(0);
  expect(again.stdout).toContain('up to date');

  const last = applied.at(-1)?.name ?? '';
  const down = await runCli(['migrate', 'down', ...args], { env, cwd, input: 'y\n' });
  expect(down.code).toBe(0);
  expect(down.stdout).toContain(`reverted ${last}`);
  const after = statusLines((await runCli(['migrate', 'status', ...args], { env, cwd })).stdout);
  expect(after.at(-1)).toEqual({ name: last, state: 'pending' });

  expect((await runCli(['migrate', 'up', ...args], { env, cwd })).code).toBe(0);
}

describe('llm-proxy migrate on SQLite', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => {
    dir.remove();
  });

  it('up, status and down work on the file named by --db (not the default database)', async () => {
    const db = join(dir.path, 'flag', 'state.db');
    // A DATABASE_PATH elsewhere must not be touched: --db wins.
    await cycle(['--db', db], { DATABASE_PATH: join(dir.path, 'other.db') }, dir.path);
    const status = await runCli(['migrate', 'status'], {
      env: { DATABASE_PATH: join(dir.path, 'other.db') },
    });
    expect(statusLines(status.stdout).every((line) => line.state === 'pending')).toBe(true);
  });

  it('status creates neither the SQLite file nor its folder', async () => {
    const db = join(dir.path, 'not-yet', 'state.db');
    const result = await runCli(['migrate', 'status', '--db', db], { cwd: dir.path });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('(the file does not exist yet)');
    expect(statusLines(result.stdout).every((line) => line.state === 'pending')).toBe(true);
    expect(existsSync(join(dir.path, 'not-yet'))).toBe(false);
  });

  it('down says what it drops and reverts only when confirmed (y on stdin or --yes)', async () => {
    const db = join(dir.path, 'down-yes.db');
    expect((await runCli(['migrate', 'up', '--db', db], { cwd: dir.path })).code).toBe(0);
    const names = statusLines((await runCli(['migrate', 'status', '--db', db])).stdout).map((l) => l.name);
    const last = names.at(-1) ?? '';
    const declined = await runCli(['migrate', 'down', '--db', db], { cwd: dir.path, input: 'n\n' });
    expect(declined.code).toBe(1);
    expect(declined.stdout).toContain(`reverting ${last} drops`);
    expect(declined.stderr).toContain('nothing was reverted');
    const unanswered = await runCli(['migrate', 'down', '--db', db], { cwd: dir.path });
    expect(unanswered.code).toBe(1);
    const still = statusLines((await runCli(['migrate', 'status', '--db', db])).stdout);
    expect(still.every((line) => line.state.startsWith('applied'))).toBe(true);
    for (const name of names.slice(1).reverse()) {
      const yes = await runCli(['migrate', 'down', '--yes', '--db', db], { cwd: dir.path });
      expect(yes.code).toBe(0);
      expect(yes.stdout).toContain(`reverted ${name}`);
    }
    const first = await runCli(['migrate', 'down', '-y', '--db', db], { cwd: dir.path });
    expect(first.stdout).toContain(
      'reverting 0001_baseline drops the tables audit_events, tokens and projects: every project',
    );
  });

  it('reads DATABASE_PATH from the --env file', async () => {
    const envFile = join(dir.path, 'migrate.env');
    writeFileSync(envFile, `DATABASE_PATH=${join(dir.path, 'from-env-file.db')}\n`);
    await cycle(['--env', envFile], {}, dir.path);
  });

  it('needs no management token and is not stopped by settings of sections it does not use', async () => {
    const result = await runCli(['migrate', 'status', '--db', join(dir.path, 'unused-sections.db')], {
      env: {
        LISTEN_ADDR: 'nope',
        API_CONFIG_PATH: join(dir.path, 'missing-providers.yaml'),
        LOG_LEVEL: 'loud',
        REDIS_DB: '3',
      },
      cwd: dir.path,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(statusLines(result.stdout).every((line) => line.state === 'pending')).toBe(true);
  });

  it('reports configuration problems in one message', async () => {
    const result = await runCli(['migrate', 'status'], { env: { DB_DRIVER: 'mysql' }, cwd: dir.path });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DB_DRIVER');
    expect(result.stderr).not.toContain('MANAGEMENT_TOKEN');
  });
});

describe.skipIf(!postgresAvailable)('llm-proxy migrate on PostgreSQL', () => {
  let database: TestDatabase;
  let dir: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    dir = tempDir();
  });
  afterAll(async () => {
    await database.cleanup();
    dir.remove();
  });

  it('up, status and down work with DB_DRIVER and DATABASE_URL from the environment', async () => {
    if (database.config.driver !== 'postgres') throw new Error('expected postgres');
    await cycle([], { DB_DRIVER: 'postgres', DATABASE_URL: database.config.url }, dir.path);
  });

  it('--db also takes a postgres:// URL', async () => {
    if (database.config.driver !== 'postgres') throw new Error('expected postgres');
    const status = await runCli(['migrate', 'status', '--db', database.config.url], { cwd: dir.path });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^postgres /);
    expect(statusLines(status.stdout).every((line) => line.state.startsWith('applied'))).toBe(true);
  });
});

if (!postgresAvailable) {
  console.warn('NOTICE: PostgreSQL is unreachable; the PostgreSQL migrate tests are SKIPPED');
}
