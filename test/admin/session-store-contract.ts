import { describe, expect, it } from 'vitest';

import type { SessionStore } from '../../src/admin/index.js';

const MINUTE = 60_000;
const START = Date.parse('2030-01-01T00:00:00Z');
const SESSION = { now: START, idleTimeoutMs: 10 * MINUTE, maxAgeMs: 60 * MINUTE, remember: false };

/** The behaviour every admin {@link SessionStore} shares: run once per implementation. */
export function describeSessionStoreContract(name: string, makeStore: () => SessionStore): void {
  describe(`${name} session store contract`, () => {
    it('finds a session by its cookie id and moves its last use; a different id finds nothing', async () => {
      const store = makeStore();
      const { id, session } = await store.create(SESSION);
      expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(session.key).toMatch(/^[0-9a-f]{64}$/);
      expect(session.key).not.toContain(id);
      const touched = await store.touch(id, START + MINUTE);
      expect(touched).toMatchObject({
        key: session.key,
        csrfToken: session.csrfToken,
        createdAt: START,
        lastSeenAt: START + MINUTE,
        expiresAt: START + 60 * MINUTE,
        idleTimeoutMs: 10 * MINUTE,
        remember: false,
      });
      expect(await store.touch(`${id.slice(0, -1)}x`, START + MINUTE)).toBeUndefined();
      expect(await store.touch('not-a-session', START + MINUTE)).toBeUndefined();
    });

    it('ends a session left unused for its idle timeout, counted from its last use', async () => {
      const store = makeStore();
      const { id } = await store.create(SESSION);
      expect(await store.touch(id, START + 9 * MINUTE)).toBeDefined();
      expect(await store.touch(id, START + 18 * MINUTE)).toBeDefined();
      expect(await store.touch(id, START + 28 * MINUTE)).toBeUndefined();
      // Ended for good: going back in time does not revive it.
      expect(await store.touch(id, START + 19 * MINUTE)).toBeUndefined();
    });

    it('ends a session at its absolute expiry however active it is', async () => {
      const store = makeStore();
      const { id } = await store.create(SESSION);
      for (let minute = 8; minute < 60; minute += 8) {
        expect(await store.touch(id, START + minute * MINUTE), `minute ${String(minute)}`).toBeDefined();
      }
      expect(await store.touch(id, START + 60 * MINUTE)).toBeUndefined();
    });

    it('keeps a notice for the next request of the session until it is cleared', async () => {
      const store = makeStore();
      const { id } = await store.create(SESSION);
      const first = await store.touch(id, START + MINUTE);
      expect(first?.flash).toBeUndefined();
      await store.setFlash(first!, { kind: 'success', message: 'Project created' });
      const second = await store.touch(id, START + 2 * MINUTE);
      expect(second?.flash).toEqual({ kind: 'success', message: 'Project created' });
      await store.setFlash(second!, undefined);
      const third = await store.touch(id, START + 3 * MINUTE);
      expect(third?.flash).toBeUndefined();
      expect(third?.lastSeenAt).toBe(START + 3 * MINUTE);
    });

    it('signs out: the id finds nothing afterwards, and a notice left then does not revive it', async () => {
      const store = makeStore();
      const { id } = await store.create(SESSION);
      const other = await store.create(SESSION);
      const session = await store.touch(id, START + MINUTE);
      await store.delete(id);
      await store.delete(id);
      await store.delete('never-issued');
      expect(await store.touch(id, START + 2 * MINUTE)).toBeUndefined();
      await store.setFlash(session!, { kind: 'info', message: 'late' });
      expect(await store.touch(id, START + 3 * MINUTE)).toBeUndefined();
      expect(await store.touch(other.id, START + 3 * MINUTE)).toBeDefined();
    });
  });
}
