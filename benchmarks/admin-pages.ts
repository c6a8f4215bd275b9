/**
 * Server time of every admin UI page against a full database — by default the figures: 10,000 tokens
 * over 100 projects, 100,000 audit events and 30 days of hourly usage for each of the 100 projects — on a
 * SQLite file, through the whole server (session check, the management API in-process, rendering):
 *
 *   npm run bench:admin -- [--requests 30] [--tokens 10000] [--audit-events 100000] [--projects 100] [--days 30]
 *
 * Prints a table, writes benchmarks/results/admin-pages-latest.json and exits 1 when a page's p95 is 100 ms or
 * more, 2 when a page did not answer 200.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import pino from 'pino';

import { resolveConfig } from '../src/config/index.js';
import { startGateway } from '../src/server/index.js';
import type { Gateway } from '../src/server/index.js';
import { seedAdminData } from './lib/admin-seed.js';
import type { AdminSeed } from './lib/admin-seed.js';
import { describeMachine, loadAverages } from './lib/machine.js';
import { ascending, median, percentile } from './lib/stats.js';

const TARGET_P95_MS = 100;
const MANAGEMENT_TOKEN = 'bench-management-token-0123456789';
const RESULTS = new URL('results/admin-pages-latest.json', import.meta.url);

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '30' },
    tokens: { type: 'string', default: '10000' },
    'audit-events': { type: 'string', default: '100000' },
    projects: { type: 'string', default: '100' },
    days: { type: 'string', default: '30' },
  },
});
const size = {
  projects: Number(values.projects),
  tokens: Number(values.tokens),
  auditEvents: Number(values['audit-events']),
  usageDays: Number(values.days),
};
const requests = Number(values.requests);

const load = loadAverages();
const directory = mkdtempSync(join(tmpdir(), 'llm-proxy-bench-admin-'));
let gateway: Gateway | undefined;
try {
  gateway = await startGateway(
    resolveConfig({
      env: {
        MANAGEMENT_TOKEN,
        DATABASE_PATH: join(directory, 'bench.db'),
        AUDIT_STORE_IN_DB: 'true',
        LOG_LEVEL: 'warn',
        USAGE_ROLLUP_INTERVAL: '1h',
      },
    }),
    { logger: pino({ level: 'warn' }) },
  );
  const now = new Date();
  const started = Date.now();
  process.stdout.write(`seeding ${JSON.stringify(size)} … `);
  const seed = await seedAdminData(gateway.store, size, now);
  process.stdout.write(`${String(Math.round((Date.now() - started) / 1000))} s\n`);
  const cookie = await signIn(gateway);
  const rows = [];
  for (const [label, url] of pages(seed)) {
    const times: number[] = [];
    for (let round = 0; round < requests + 3; round += 1) {
      const begin = process.hrtime.bigint();
      const answer = await gateway.app.inject({ method: 'GET', url, headers: { cookie } });
      const elapsed = Number(process.hrtime.bigint() - begin) / 1e6;
      if (answer.statusCode !== 200) throw new Error(`${url} answered ${String(answer.statusCode)}`);
      // The first rounds warm the code up; they are not counted.
      if (round >= 3) times.push(elapsed);
    }
    const sorted = ascending(times);
    rows.push({
      page: label,
      url,
      median_ms: median(times),
      p95_ms: percentile(sorted, 95),
      max_ms: sorted.at(-1) ?? 0,
    });
  }
  const passed = rows.every((row) => row.p95_ms < TARGET_P95_MS);
  console.log(
    `\n${'page'.padEnd(34)} ${'median'.padStart(8)} ${'p95'.padStart(8)} ${'max'.padStart(8)}  (ms, ${String(requests)} requests each)`,
  );
  for (const row of rows) {
    console.log(
      `${row.page.padEnd(34)} ${row.median_ms.toFixed(1).padStart(8)} ${row.p95_ms.toFixed(1).padStart(8)} ${row.max_ms.toFixed(1).padStart(8)}${row.p95_ms < TARGET_P95_MS ? '' : '  MISSED'}`,
    );
  }
  console.log(`\ntarget: every page's p95 under ${String(TARGET_P95_MS)} ms: ${passed ? 'met' : 'MISSED'}`);
  writeFileSync(
    RESULTS,
    `${JSON.stringify({ machine: describeMachine(load), size, requests, target_p95_ms: TARGET_P95_MS, passed, pages: rows }, null, 2)}\n`,
  );
  process.exitCode = passed ? 0 : 1;
} catch (error) {
  console.error(error);
  process.exitCode = 2;
} finally {
  await gateway?.close();
  rmSync(directory, { recursive: true, force: true });
}

/** The pages measured, each with a URL that makes it work hard (filters, late pages, whole ranges). */
function pages(seed: AdminSeed): [string, string][] {
  const project = seed.projectIds[0] ?? '';
  const token = seed.tokenIds[0] ?? '';
  const event = seed.auditEventIds[seed.auditEventIds.length >> 1] ?? '';
  return [
    ['dashboard (24 h)', '/admin/dashboard'],
    ['dashboard (30 days)', '/admin/dashboard?range=30d'],
    ['projects', '/admin/projects'],
    ['projects, search and sort', '/admin/projects?q=bench-project-09&sort=created&order=desc'],
    ['project details (7 days)', `/admin/projects/${project}?range=7d`],
    ['project edit', `/admin/projects/${project}/edit`],
    ['tokens (first page)', '/admin/tokens'],
    ['tokens (page 100, sorted)', '/admin/tokens?page=100&sort=requests&order=desc'],
    ['tokens of a project', `/admin/tokens?project_id=${project}`],
    ['token details (30 days)', `/admin/tokens/${token}?range=30d`],
    ['token edit', `/admin/tokens/${token}/edit`],
    ['new token form', '/admin/tokens/new'],
    ['audit (first page)', '/admin/audit'],
    ['audit (page 2000)', '/admin/audit?page=2000'],
    ['audit search', '/admin/audit?search=token.revoke'],
    ['audit details', `/admin/audit/${event}`],
    ['cache', '/admin/cache'],
    ['events', '/admin/events'],
  ];
}

/** Signs in through the form and returns the session cookie. */
async function signIn(target: Gateway): Promise<string> {
  const form = await target.app.inject({ method: 'GET', url: '/admin/auth/login' });
  const signInCookie = String(form.headers['set-cookie']).split(';', 1)[0] ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
  const answer = await target.app.inject({
    method: 'POST',
    url: '/admin/auth/login',
    headers: {
      cookie: signInCookie,
      'content-type': 'application/x-www-form-urlencoded',
      origin: 'http://localhost:80',
    },
    payload: new URLSearchParams({ _csrf: csrf, management_token: MANAGEMENT_TOKEN }).toString(),
  });
  const session = [answer.headers['set-cookie']]
    .flat()
    .find((line) => String(line).startsWith('llmproxy_session='));
  if (session === undefined) throw new Error(`sign-in failed: ${String(answer.statusCode)}`);
  return session.split(';', 1)[0] ?? '';
}
