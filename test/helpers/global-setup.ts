import { existsSync } from 'node:fs';
import { Socket } from 'node:net';

import pg from 'pg';
import type { TestProject } from 'vitest/node';

import { CHROMIUM_PATH, TEST_POSTGRES_URL, TEST_REDIS_URL } from './service-urls.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAvailable: boolean;
    redisAvailable: boolean;
    chromiumAvailable: boolean;
  }
}

/**
 * Finds out once which local services answer (and whether Chromium is installed for the browser tests). Suites that need a missing one skip with a visible notice,
 * except under CI=true, where a missing service fails the run instead of silently shrinking it.
 */
export default async function setup(project: TestProject): Promise<void> {
  const [postgres, redis] = await Promise.all([postgresAnswers(), redisAnswers()]);
  const chromium = existsSync(CHROMIUM_PATH);
  const missing = [
    ...(postgres ? [] : [`PostgreSQL (${TEST_POSTGRES_URL})`]),
    ...(redis ? [] : [`Redis (${TEST_REDIS_URL})`]),
    ...(chromium ? [] : [`Chromium (${CHROMIUM_PATH}; apt install chromium)`]),
  ];
  if (missing.length > 0) {
    if (process.env.CI === 'true') {
      throw new Error(`CI=true but these services are unreachable: ${missing.join(', ')}`);
    }
    console.warn(`\nNOTICE: unreachable, their suites are SKIPPED: ${missing.join(', ')}\n`);
  }
  project.provide('postgresAvailable', postgres);
  project.provide('redisAvailable', redis);
  project.provide('chromiumAvailable', chromium);
}

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function redisAnswers(): Promise<boolean> {
  const url = new URL(TEST_REDIS_URL);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(3000, () => {
      done(false);
    });
    socket.once('error', () => {
      done(false);
    });
    socket.once('data', (data) => {
      done(data.toString().startsWith('+PONG'));
    });
    socket.connect(Number(url.port || 6379), url.hostname, () => socket.write('PING\r\n'));
  });
}
