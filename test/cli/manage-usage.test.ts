import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApiKeyCipher } from '../../src/core/index.js';
import { openStore } from '../../src/store/index.js';
import type { UsageDelta } from '../../src/store/index.js';
import { startServer, tempDir } from './cli-harness.js';
import type { RunningServer } from './cli-harness.js';
import { runManage, runManageJson } from './manage-cli.js';

const MANAGEMENT_TOKEN = 'cli-test-management-token-usage-0123456789';
const RANGE = ['--from', '2025-03-01T00:00:00Z', '--to', '2025-03-03T00:00:00Z'];

let dir: ReturnType<typeof tempDir>;
let server: RunningServer;

const manage = (args: readonly string[]) => runManage(server, dir.path, MANAGEMENT_TOKEN, args);
const manageJson = <T>(args: readonly string[]): Promise<T> =>
  runManageJson<T>(server, dir.path, MANAGEMENT_TOKEN, args);

function delta(overrides: Partial<UsageDelta>): UsageDelta {
  return {
    projectId: 'project-cli',
    tokenId: 'token-cli',
    model: 'gpt-4o',
    hour: new Date('2025-03-01T10:00:00.000Z'),
    requests: 2,
    inputTokens: 1500,
    outputTokens: 300,
    cachedTokens: 500,
    reasoningTokens: 0,
    cacheHits: 1,
    errors: 0,
    estimatedRequests: 0,
    unpricedRequests: 0,
    costUsd: 0.0125,
    ...overrides,
  };
}

beforeAll(async () => {
  dir = tempDir();
  server = await startServer({ cwd: dir.path, env: { MANAGEMENT_TOKEN } });
  // The server has migrated its SQLite file; usage is written into it as the server's rollup would.
  const store = await openStore({
    database: { driver: 'sqlite', path: join(dir.path, 'data', 'llm-proxy.db') },
    cipher: createApiKeyCipher(undefined),
  });
  await store.usage.add([
    delta({}),
    delta({ hour: new Date('2025-03-02T04:00:00.000Z'), model: 'claude-sonnet-4', errors: 1 }),
    delta({ projectId: 'project-other', model: 'mystery-model', unpricedRequests: 2, costUsd: 0 }),
  ]);
  await store.close();
});

afterAll(async () => {
  await server.stop();
  dir.remove();
});

describe('manage usage', () => {
  it('prints the API answer with --json, passing every filter through', async () => {
    const body = await manageJson<{
      group_by: string;
      buckets: { period_start: string; model?: string | null; requests: number }[];
      totals: { requests: number; estimated_cost_usd: number };
      cost_is_estimate: boolean;
    }>(['usage', ...RANGE, '--project', 'project-cli', '--group-by', 'day', '--by', 'model']);
    expect(body.group_by).toBe('day');
    expect(body.cost_is_estimate).toBe(true);
    expect(body.buckets.map((b) => [b.period_start, b.model, b.requests])).toEqual([
      ['2025-03-01T00:00:00.000Z', 'gpt-4o', 2],
      ['2025-03-02T00:00:00.000Z', 'claude-sonnet-4', 2],
    ]);
    expect(body.totals).toMatchObject({ requests: 4, estimated_cost_usd: 0.025 });

    const oneToken = await manageJson<{ totals: { requests: number } }>([
      'usage',
      ...RANGE,
      '--token',
      'token-cli',
      '--model',
      'mystery-model',
    ]);
    expect(oneToken.totals.requests).toBe(2);
  });

  it('prints a table with a totals row, the estimate label and the unpriced models', async () => {
    const result = await manage(['usage', ...RANGE, '--by', 'project']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.find((line) => line.includes('Hour'))).toMatch(
      /Hour.*Project.*Requests.*Input.*Output.*Cached.*Reasoning.*Cache hits.*Errors.*Est\. cost \(USD\)/,
    );
    expect(lines.find((line) => line.includes('2025-03-01 10:00Z') && line.includes('project-cli'))).toMatch(
      /project-cli\s*│\s*2\s*│\s*1500\s*│\s*300\s*│\s*500\s*│\s*0\s*│\s*1\s*│\s*0\s*│\s*\$0\.0125\s/,
    );
    expect(lines.find((line) => line.includes('Total'))).toMatch(/Total.*│\s*6\s*│\s*4500\s*│.*\$0\.0250\s/);
    expect(result.stdout).toContain(
      'Usage from 2025-03-01 00:00Z to 2025-03-03 00:00Z (UTC). Costs are estimates from the price table.',
    );
    expect(result.stdout).toContain('No price known for: mystery-model (counted at $0).');
  });

  it('says when there is no usage, and reports API and usage errors', async () => {
    const empty = await manage(['usage', '--from', '2024-01-01', '--to', '2024-01-02']);
    expect(empty.code).toBe(0);
    expect(empty.stdout.trim()).toBe('No usage from 2024-01-01 00:00Z to 2024-01-02 00:00Z.');

    const backwards = await manage(['usage', '--from', '2025-03-02', '--to', '2025-03-01']);
    expect(backwards.code).not.toBe(0);
    expect(backwards.stderr).toContain('from must be before to (HTTP 400)');

    const week = await manage(['usage', '--group-by', 'week']);
    expect(week.code).not.toBe(0);
    expect(week.stderr).toContain("'week' is invalid");
  });
});
