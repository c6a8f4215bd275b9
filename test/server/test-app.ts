import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pino from 'pino';

import { createAuditRecorder } from '../../src/audit/index.js';
import type { AuditRecorder } from '../../src/audit/index.js';
import { resolveConfig } from '../../src/config/index.js';
import type { Config } from '../../src/config/index.js';
import type { Clock } from '../../src/core/index.js';
import { createServer } from '../../src/server/index.js';
import type { ServerExtension } from '../../src/server/index.js';
import type { DialectName, Store } from '../../src/store/index.js';
import { createTestStore } from '../helpers/test-store.js';

/** The management token of every test server. */
export const MANAGEMENT_TOKEN = 'test-management-token-5d1f0a7b9c3e';
/** The Authorization header that passes management authentication. */
export const AUTH = { authorization: `Bearer ${MANAGEMENT_TOKEN}` };

/** A clock the test moves by hand; starts at the real time unless told otherwise. */
export class ManualClock implements Clock {
  private current: Date;
  constructor(start: Date = new Date()) {
    this.current = new Date(start);
  }
  now(): Date {
    return new Date(this.current);
  }
  set(date: Date | string): void {
    this.current = new Date(date);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** Every line the server logged, parsed. */
export class LogCapture {
  readonly raw: string[] = [];
  write(chunk: string): void {
    this.raw.push(chunk);
  }
  get text(): string {
    return this.raw.join('');
  }
  get entries(): Record<string, unknown>[] {
    return this.raw.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

/** Options of {@link startTestApp}. */
export interface TestAppOptions {
  readonly audit?: Partial<Config['audit']>;
  /** Clock of the audit recorder (event timestamps). */
  readonly auditClock?: Clock;
  /** Clock of the server (token expiry, /health). */
  readonly clock?: Clock;
  readonly extensions?: readonly ServerExtension[];
}

/** A server on a fresh, migrated database, with its logs and audit file at hand. */
export interface TestApp {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly audit: AuditRecorder;
  readonly auditFile: string;
  readonly logs: LogCapture;
  /** Any request, as given. */
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** An authenticated management request; objects are sent as JSON. */
  manage(method: InjectOptions['method'], url: string, body?: unknown): Promise<LightMyRequestResponse>;
  /** Lines of the JSONL audit file, parsed (after flushing the recorder). */
  auditFileLines(): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** Builds a configuration for tests. */
export function testConfig(auditDir: string, audit: Partial<Config['audit']> = {}): Config {
  return {
    ...resolveConfig({ env: { MANAGEMENT_TOKEN } }),
    managementToken: MANAGEMENT_TOKEN,
    listen: { host: '127.0.0.1', port: 0 },
    database: { driver: 'sqlite', path: ':memory:' },
    log: { level: 'debug', format: 'json', file: '' },
    audit: {
      enabled: true,
      file: join(auditDir, 'nested', 'audit.log'),
      createDir: true,
      storeInDb: true,
      ...audit,
    },
    encryption: { key: undefined, required: false },
  };
}

/** Starts a server (not listening; use `inject`) on a fresh database of the dialect. */
export async function startTestApp(dialect: DialectName, options: TestAppOptions = {}): Promise<TestApp> {
  const testStore = await createTestStore(dialect);
  const dir = mkdtempSync(join(tmpdir(), 'llm-proxy-manage-'));
  const config = testConfig(dir, options.audit);
  const logs = new LogCapture();
  const logger = pino({ level: 'debug' }, logs);
  const audit = createAuditRecorder({
    config: config.audit,
    store: testStore.store,
    logger,
    clock: options.auditClock,
  });
  const server = await createServer({
    config,
    store: testStore.store,
    logger,
    audit,
    clock: options.clock,
    extensions: options.extensions,
  });
  const { app } = server;
  return {
    app,
    store: testStore.store,
    audit,
    auditFile: config.audit.file,
    logs,
    inject: (injectOptions) => app.inject(injectOptions),
    manage: (method, url, body) =>
      app.inject({
        method,
        url,
        headers: AUTH,
        ...(body === undefined ? {} : { payload: body as InjectOptions['payload'] }),
      }),
    async auditFileLines() {
      await audit.flush();
      return readFileSync(config.audit.file, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    async close() {
      await server.close();
      await testStore.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The parsed JSON body of a response, typed as the caller expects it. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller states the shape it asserts on
export function json<T = Record<string, unknown>>(response: LightMyRequestResponse): T {
  return JSON.parse(response.body) as T;
}

/** Creates a project through the API and returns its JSON. */
export async function createProject(
  t: TestApp,
  name: string,
  apiKey = 'sk-live-abcdefghijklmnop',
): Promise<{ id: string; name: string; api_key: string; is_active: boolean }> {
  const response = await t.manage('POST', '/manage/projects', { name, api_key: apiKey });
  if (response.statusCode !== 201) throw new Error(`project create failed: ${response.body}`);
  return json(response);
}

/** Issues a token through the API and returns its JSON. */
export async function createToken(
  t: TestApp,
  projectId: string,
  extra: Record<string, unknown> = {},
): Promise<{ id: string; token: string; expires_at: string; max_requests?: number }> {
  const response = await t.manage('POST', '/manage/tokens', {
    project_id: projectId,
    duration_minutes: 60,
    ...extra,
  });
  if (response.statusCode !== 201) throw new Error(`token create failed: ${response.body}`);
  return json(response);
}

/** Reads audit events through the API. */
export async function auditEvents(
  t: TestApp,
  query = '',
): Promise<{ events: Record<string, unknown>[]; pagination: Record<string, unknown> }> {
  const response = await t.manage('GET', `/manage/audit${query === '' ? '' : `?${query}`}`);
  if (response.statusCode !== 200) throw new Error(`audit list failed: ${response.body}`);
  return json(response);
}
