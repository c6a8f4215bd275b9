import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { createAuditRecorder, noopAuditRecorder } from '../../src/audit/index.js';
import type { AuditEntry } from '../../src/audit/index.js';
import type { Config } from '../../src/config/index.js';
import type { Store } from '../../src/store/index.js';
import { ManualClock } from '../helpers/clock.js';
import { LogCapture } from '../helpers/log-capture.js';
import { TEST_DIALECTS, createTestStore } from '../helpers/test-store.js';
import type { TestStore } from '../helpers/test-store.js';

const ENTRY: AuditEntry = {
  action: 'token.create',
  actor: 'management_api',
  outcome: 'success',
  projectId: 'project-1',
  requestId: 'request-1',
  correlationId: 'correlation-1',
  clientIp: '203.0.113.5',
  method: 'POST',
  path: '/manage/tokens',
  userAgent: 'curl/8',
  tokenId: 'sk-AbCd**************WxYz',
  details: { duration_minutes: 60 },
};

describe.each(TEST_DIALECTS)('audit recorder (%s)', (dialect) => {
  let testStore: TestStore;
  let store: Store;
  let dir: string;
  let logs: LogCapture;
  const clock = new ManualClock(new Date('2025-05-05T05:05:05.005Z'));

  beforeAll(async () => {
    testStore = await createTestStore(dialect);
    store = testStore.store;
  });
  afterAll(async () => {
    await testStore.cleanup();
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function recorder(audit: Partial<Config['audit']> = {}, queueLimit?: number, target: Store = store) {
    dir = mkdtempSync(join(tmpdir(), 'llm-proxy-audit-'));
    logs = new LogCapture();
    const config: Config['audit'] = {
      enabled: true,
      file: join(dir, 'deep', 'folder', 'audit.log'),
      createDir: true,
      storeInDb: true,
      retentionMs: 0,
      ...audit,
    };
    return {
      config,
      recorder: createAuditRecorder({
        config,
        store: target,
        logger: pino({ level: 'debug' }, logs),
        clock,
        queueLimit,
      }),
    };
  }

  function fileLines(file: string): Record<string, unknown>[] {
    return readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it('writes one JSONL line in the original format and one database row', async () => {
    const { config, recorder: audit } = recorder();
    audit.record({ ...ENTRY, requestId: 'format-check', reason: 'because' });
    await audit.flush();

    expect(fileLines(config.file)).toEqual([
      {
        timestamp: '2025-05-05T05:05:05.005Z',
        action: 'token.create',
        actor: 'management_api',
        project_id: 'project-1',
        request_id: 'format-check',
        correlation_id: 'correlation-1',
        client_ip: '203.0.113.5',
        result: 'success',
        details: {
          http_method: 'POST',
          endpoint: '/manage/tokens',
          user_agent: 'curl/8',
          reason: 'because',
          token_id: 'sk-AbCd**************WxYz',
          duration_minutes: 60,
        },
      },
    ]);
    const page = await store.audit.list({ requestId: 'format-check' }, 1, 10);
    expect(page.events).toHaveLength(1);
    expect(page.events[0]).toMatchObject({
      timestamp: new Date('2025-05-05T05:05:05.005Z'),
      action: 'token.create',
      actor: 'management_api',
      projectId: 'project-1',
      correlationId: 'correlation-1',
      clientIp: '203.0.113.5',
      method: 'POST',
      path: '/manage/tokens',
      userAgent: 'curl/8',
      outcome: 'success',
      reason: 'because',
      tokenId: 'sk-AbCd**************WxYz',
    });
    expect(JSON.parse(page.events[0]!.metadata!)).toMatchObject({
      duration_minutes: 60,
      http_method: 'POST',
    });
    await audit.close();
  });

  it('returns from record() before anything is written', async () => {
    const { config, recorder: audit } = recorder();
    audit.record({ ...ENTRY, requestId: 'not-yet' });
    expect(existsSync(config.file)).toBe(false);
    expect((await store.audit.list({ requestId: 'not-yet' }, 1, 10)).totalCount).toBe(0);
    await audit.flush();
    expect((await store.audit.list({ requestId: 'not-yet' }, 1, 10)).totalCount).toBe(1);
    await audit.close();
  });

  it('masks secrets that slip into details', async () => {
    const { config, recorder: audit } = recorder();
    audit.record({
      ...ENTRY,
      requestId: 'secret-details',
      details: {
        api_key: 'sk-live-abcdefghijklmnop',
        token: 'sk-AbCdEfGhIjKlMnOpQrStUv',
        management_token: 'm-secret-value-123',
      },
    });
    await audit.flush();
    const text = readFileSync(config.file, 'utf8');
    const stored = JSON.stringify(await store.audit.list({ requestId: 'secret-details' }, 1, 10));
    for (const secret of ['sk-live-abcdefghijklmnop', 'sk-AbCdEfGhIjKlMnOpQrStUv', 'm-secret-value-123']) {
      expect(text).not.toContain(secret);
      expect(stored).not.toContain(secret);
    }
    expect(fileLines(config.file)[0]!.details).toMatchObject({
      api_key: 'sk-live-...mnop',
      token: 'sk-AbCd**************StUv',
    });
    await audit.close();
  });

  it('drops events beyond the queue limit, counts them and warns once', async () => {
    const { recorder: audit } = recorder({}, 3);
    for (let i = 0; i < 5; i += 1) audit.record({ ...ENTRY, requestId: `burst-${i}` });
    expect(audit.stats()).toMatchObject({ queued: 3, dropped: 2 });
    await audit.flush();
    const page = await store.audit.list({ search: 'burst-' }, 1, 10);
    expect(page.events.map((event) => event.requestId).sort()).toEqual(['burst-0', 'burst-1', 'burst-2']);
    // One warning when the burst starts, one summary with the count when the queue moves again.
    const warnings = logs.entries.filter((entry) => entry.level === 40);
    expect(warnings.map((entry) => entry.msg)).toEqual([
      'audit queue full or closed; dropping audit events',
      'audit events were dropped',
    ]);
    expect(warnings[1]).toMatchObject({ dropped: 2 });
    await audit.close();
  });

  it('logs file write failures and still stores the event', async () => {
    const { recorder: audit } = recorder({ createDir: false });
    audit.record({ ...ENTRY, requestId: 'no-folder' });
    await audit.flush();
    expect(audit.stats().writeFailures).toBe(1);
    expect(logs.entries.some((entry) => entry.msg === 'audit log file write failed')).toBe(true);
    expect((await store.audit.list({ requestId: 'no-folder' }, 1, 10)).totalCount).toBe(1);
    await audit.close();
  });

  it('logs database failures and still writes the file', async () => {
    const broken = await createTestStore(dialect);
    await broken.store.close();
    const { config, recorder: audit } = recorder({}, undefined, broken.store);
    expect(() => {
      audit.record({ ...ENTRY, requestId: 'db-down' });
    }).not.toThrow();
    await audit.flush();
    expect(audit.stats().writeFailures).toBe(1);
    expect(
      logs.entries.some((entry) => entry.msg === 'audit event could not be stored in the database'),
    ).toBe(true);
    expect(fileLines(config.file)[0]).toMatchObject({ request_id: 'db-down' });
    await audit.close();
    await broken.cleanup().catch(() => undefined);
  });

  it('keeps events out of the database when AUDIT_STORE_IN_DB is off, and writes no file when none is set', async () => {
    const fileOnly = recorder({ storeInDb: false });
    fileOnly.recorder.record({ ...ENTRY, requestId: 'file-only' });
    await fileOnly.recorder.close();
    expect(fileLines(fileOnly.config.file)).toHaveLength(1);
    expect((await store.audit.list({ requestId: 'file-only' }, 1, 10)).totalCount).toBe(0);
    rmSync(dir, { recursive: true, force: true });

    const dbOnly = recorder({ file: '' });
    dbOnly.recorder.record({ ...ENTRY, requestId: 'db-only' });
    await dbOnly.recorder.close();
    expect((await store.audit.list({ requestId: 'db-only' }, 1, 10)).totalCount).toBe(1);
  });

  it('drains the queue on close and drops what comes after', async () => {
    const { recorder: audit } = recorder();
    for (let i = 0; i < 25; i += 1) audit.record({ ...ENTRY, requestId: `closing-${i}` });
    await audit.close();
    expect((await store.audit.list({ search: 'closing-' }, 1, 100)).totalCount).toBe(25);
    audit.record({ ...ENTRY, requestId: 'after-close' });
    expect(audit.stats().dropped).toBe(1);
    await audit.flush();
    expect((await store.audit.list({ requestId: 'after-close' }, 1, 10)).totalCount).toBe(0);
  });

  it('is a no-op when auditing is disabled', async () => {
    const { config, recorder: audit } = recorder({ enabled: false });
    expect(audit).toBe(noopAuditRecorder);
    audit.record({ ...ENTRY, requestId: 'disabled' });
    await audit.close();
    expect(existsSync(config.file)).toBe(false);
    expect((await store.audit.list({ requestId: 'disabled' }, 1, 10)).totalCount).toBe(0);
  });
});
