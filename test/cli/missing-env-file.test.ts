import { readdirSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { runCli, tempDirPerTest } from './cli-harness.js';

const newDir = tempDirPerTest();

// `server` refuses a missing --env file in server-first-hour.test.ts; the other commands that read one must too.
describe('a dotenv file named by --env or ENV must exist', () => {
  it.each([
    ['migrate status', ['migrate', 'status', '--env', 'prod.env']],
    ['migrate up', ['migrate', 'up', '--env', 'prod.env']],
    ['manage project list', ['manage', 'project', 'list', '--env', 'prod.env']],
  ])('%s names the missing file, exits 1 and creates nothing', async (_name, args) => {
    const cwd = newDir();
    const result = await runCli(args, { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('env file not found: prod.env');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('ENV naming a missing file is refused as well', async () => {
    const cwd = newDir();
    const result = await runCli(['migrate', 'status'], { cwd, env: { ENV: 'staging.env' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('env file not found: staging.env');
  });

  it('without --env or ENV a missing default .env is fine', async () => {
    const cwd = newDir();
    const result = await runCli(['migrate', 'status', '--db', 'x.db'], { cwd });
    expect(result.stderr).not.toContain('env file not found');
    expect(result.code).toBe(0);
  });
});
