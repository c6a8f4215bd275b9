import { expect } from 'vitest';

import { runCli } from './cli-harness.js';
import type { RunningServer } from './cli-harness.js';

/** Runs `llm-proxy manage …` against a test server, from `cwd`. */
export function runManage(
  server: RunningServer,
  cwd: string,
  managementToken: string,
  args: readonly string[],
  env: Record<string, string | undefined> = {},
) {
  return runCli(['manage', ...args], {
    cwd,
    env: { MANAGE_API_BASE_URL: server.url, MANAGEMENT_TOKEN: managementToken, ...env },
  });
}

/** Runs `llm-proxy manage … --json`, expects success and parses what it printed. */
export async function runManageJson<T>(
  server: RunningServer,
  cwd: string,
  managementToken: string,
  args: readonly string[],
): Promise<T> {
  const result = await runManage(server, cwd, managementToken, [...args, '--json']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as T;
}
