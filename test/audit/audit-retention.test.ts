import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { startAuditRetention } from '../../src/audit/index.js';
import { newId } from '../../src/core/index.js';
import type { AuditEventRecord, Store } from '../../src/store/index.js';
import { ManualClock } from '../helpers/clock.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import { LogCapture, captureLogger } from '../helpers/log-capture.js';
import { TEST_DIALECTS, createTestStore } from '../helpers/test-store.js';
import type { TestStore } from '../helpers/test-store.js';

const DAY_MS = 86_400_000;
const NOW = new Date('2025-06-01T12:00:00.000Z');

function event(timestamp: Date, action = 'token.create'): AuditEventRecord {
  return {
    id: newId(),
    timestamp,
    action,
    actor: 'management_api',
    projectId: null,
    requestId: null,
    correlationId: null,
    clientIp: null,
    method: null,
    path: null,
    userAgent: null,
    outcome: 'success',
    reason: null,
    tokenId: null,
    metadata: null,
  };
}

async function actions(store: Store): Promise<string[]> {
  const page = await store.audit.list({}, 1, 100);
  return page.events.map((e) => e.action).sort();
}

describe.each(TEST_DIALECTS)('audit retention (%s)', (dialect) => {
  let testStore: TestStore;
  beforeAll(async () => {
    testStore = await createTestStore(dialect);
  });
  afterAll(async () => {
    await testStore.cleanup();
  });

  it('deletes events older than the retention in bounded batches at start, then on its interval', async () => {
    const { store } = testStore;
    const clock = new ManualClock(NOW);
    for (let i = 0; i < 5; i += 1)
      await store.audit.insert(event(new Date(NOW.getTime() - 40 * DAY_MS), 'old'));
    await store.audit.insert(event(new Date(NOW.getTime() - 10 * DAY_MS), 'recent'));
    await store.audit.insert(event(NOW, 'now'));
    const deletes: number[] = [];
    const logs = new LogCapture();
    const retention = startAuditRetention({
      audit: {
        async deleteOlderThan(cutoff, limit) {
          const deleted = await store.audit.deleteOlderThan(cutoff, limit);
          deletes.push(deleted);
          return deleted;
        },
      },
      clock,
      logger: captureLogger(logs),
      retentionMs: 30 * DAY_MS,
      batchSize: 2,
      intervalMs: 25,
    });
    try {
      await vi.waitFor(async () => {
        expect(await actions(store)).toEqual(['now', 'recent']);
      });
      // Five old events in batches of at most two.
      expect(deletes.slice(0, 3)).toEqual([2, 2, 1]);
      expect(logs.entries.some((e) => e.deleted === 5 && String(e.msg).includes('AUDIT_RETENTION'))).toBe(
        true,
      );

      // Twenty-one days later the "recent" event is past the retention: the next scheduled run removes it.
      clock.advance(21 * DAY_MS);
      await vi.waitFor(async () => {
        expect(await actions(store)).toEqual(['now']);
      });
    } finally {
      await retention.close();
    }
  });
});

describe('AUDIT_RETENTION in the gateway', () => {
  it('prunes old audit events when the gateway starts; 0 keeps them', async () => {
    const testStore = await createTestStore('sqlite');
    const { store } = testStore;
    await store.audit.insert(event(new Date(NOW.getTime() - 100 * DAY_MS), 'ancient'));
    await store.audit.insert(event(new Date(NOW.getTime() - DAY_MS), 'yesterday'));
    try {
      const keeping = await startTestGateway({ store, clock: new ManualClock(NOW), listen: false });
      await keeping.close();
      expect(await actions(store)).toEqual(['ancient', 'yesterday']);

      const pruning = await startTestGateway({
        store,
        clock: new ManualClock(NOW),
        env: { AUDIT_RETENTION: '90d' },
        listen: false,
      });
      try {
        await vi.waitFor(async () => {
          expect(await actions(store)).toEqual(['yesterday']);
        });
      } finally {
        await pruning.close();
      }
    } finally {
      await testStore.cleanup();
    }
  });
});
