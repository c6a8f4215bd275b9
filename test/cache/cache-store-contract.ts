import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { primaryKey, variantKey } from '../../src/cache/cache-key-layout.js';
import type { CacheStore, PurgeSelector } from '../../src/cache/cache-store.js';
import type { CacheEntryOrigin, CachedResponse, VaryMarker } from '../../src/cache/cached-response.js';

/** One store under test, with the means to move its time. */
export interface ContractStore {
  readonly store: CacheStore;
  /** Epoch milliseconds as the store sees them. */
  now(): number;
  /** Lets `ms` pass for the store (a fake clock moved, or a real wait). */
  elapse(ms: number): Promise<void>;
  /** A lifetime long enough to read an item back at once on a loaded machine, short enough to wait out. */
  readonly shortTtlMs: number;
  /** Closes the store and removes whatever the test left. */
  cleanup(): Promise<void>;
}

const HOUR = 3_600_000;

/** The behaviour every {@link CacheStore} shares: run once per implementation (STYLE 19). */
export function describeCacheStoreContract(name: string, makeStore: () => Promise<ContractStore>): void {
  describe(`${name} store contract`, () => {
    let subject: ContractStore;
    let store: CacheStore;

    beforeEach(async () => {
      subject = await makeStore();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.cleanup();
    });

    const origin = (overrides: Partial<CacheEntryOrigin> = {}): CacheEntryOrigin => ({
      scope: 'project-a',
      provider: 'openai',
      method: 'POST',
      url: '/v1/chat/completions',
      ...overrides,
    });
    const response = (from: CacheEntryOrigin, body = 'answer', ttlMs = HOUR): CachedResponse => ({
      kind: 'response',
      status: 200,
      headers: { 'content-type': 'application/json' },
      chunks: [Buffer.from(body)],
      storedAt: subject.now(),
      expiresAt: subject.now() + ttlMs,
      origin: from,
    });
    const keyOf = (from: CacheEntryOrigin, body = 'b0'): string => primaryKey(from, body.padEnd(8, '0'));
    /** Stores a response under the key of `from` and `body`; returns the key. */
    const put = async (from: CacheEntryOrigin, body = 'b0'): Promise<string> => {
      const key = keyOf(from, body);
      expect(await store.set(key, response(from, body))).toBe(true);
      return key;
    };
    const present = async (keys: readonly string[]): Promise<boolean[]> =>
      Promise.all(keys.map(async (key) => (await store.get(key)) !== undefined));

    it('gives back a stored answer exactly: status, headers with repeated values, binary and empty chunks, origin', async () => {
      const binary = Buffer.from(Array.from({ length: 256 }, (_, index) => index));
      const item: CachedResponse = {
        kind: 'response',
        status: 203,
        headers: {
          'content-type': 'text/event-stream; charset=utf-8',
          'set-something': ['first', 'second, with a comma', ''],
          etag: '"ü-etag"',
        },
        chunks: [Buffer.from('data: {"a":1}\n\n'), Buffer.alloc(0), binary, Buffer.from('data: [DONE]\n\n')],
        storedAt: subject.now() - 1234,
        expiresAt: subject.now() + HOUR,
        origin: origin({ provider: 'anthropic', method: 'GET', url: '/v1/models?q=%C3%BC' }),
      };
      const key = keyOf(item.origin);
      expect(await store.set(key, item)).toBe(true);

      const read = await store.get(key);
      expect(read).toEqual(item);
      const chunks = (read as CachedResponse).chunks;
      expect(chunks.map((chunk) => chunk.length)).toEqual([15, 0, 256, 14]);
      for (const [index, chunk] of chunks.entries()) expect(chunk.equals(item.chunks[index]!)).toBe(true);
    });

    it('keeps a vary marker under the primary key and each variant under its own key', async () => {
      const from = origin({ method: 'GET', url: '/v1/models' });
      const primary = keyOf(from);
      const marker: VaryMarker = {
        kind: 'vary',
        headers: ['accept-language', 'openai-organization'],
        expiresAt: subject.now() + HOUR,
        origin: from,
      };
      const english = variantKey(primary, 'a'.repeat(64));
      const german = variantKey(primary, 'b'.repeat(64));
      expect(await store.set(primary, marker)).toBe(true);
      expect(await store.set(english, response(from, 'hello'))).toBe(true);
      expect(await store.set(german, response(from, 'hallo'))).toBe(true);

      expect(await store.get(primary)).toEqual(marker);
      expect(((await store.get(english)) as CachedResponse).chunks).toEqual([Buffer.from('hello')]);
      expect(((await store.get(german)) as CachedResponse).chunks).toEqual([Buffer.from('hallo')]);
    });

    it('misses a key never stored', async () => {
      await put(origin());
      expect(await store.get(keyOf(origin(), 'other'))).toBeUndefined();
      expect(await store.get(keyOf(origin({ scope: 'project-b' })))).toBeUndefined();
    });

    it('stops returning an item once it expires, and refuses one already expired', async () => {
      const from = origin();
      const key = keyOf(from);
      const lasting = keyOf(from, 'lasting');
      expect(await store.set(key, response(from, 'short', subject.shortTtlMs))).toBe(true);
      expect(await store.set(lasting, response(from, 'lasting'))).toBe(true);
      expect(await store.get(key)).toBeDefined();

      await subject.elapse(subject.shortTtlMs + 50);
      expect(await store.get(key)).toBeUndefined();
      expect(await store.get(lasting)).toBeDefined();

      const stale = keyOf(from, 'stale');
      expect(await store.set(stale, { ...response(from), expiresAt: subject.now() - 1 })).toBe(false);
      expect(await store.get(stale)).toBeUndefined();
    });

    it('replaces an item written again under the same key', async () => {
      const from = origin();
      const key = keyOf(from);
      expect(await store.set(key, response(from, 'first'))).toBe(true);
      expect(await store.set(key, { ...response(from, 'second'), status: 201 })).toBe(true);
      const read = (await store.get(key)) as CachedResponse;
      expect(read.status).toBe(201);
      expect(read.chunks).toEqual([Buffer.from('second')]);
      expect((await store.stats()).entries).toBe(1);
    });

    describe('purge', () => {
      const chat = (scope: string) => origin({ scope });
      const models = (scope: string, url = '/v1/models') => origin({ scope, method: 'GET', url });

      /** Two projects, each with several bodies and vary variants of one URL, and neighbours that must stay. */
      const populate = async () => {
        const keys: Record<string, string> = {};
        for (const scope of ['project-a', 'project-b']) {
          keys[`${scope} chat 1`] = await put(chat(scope), 'body1');
          keys[`${scope} chat 2`] = await put(chat(scope), 'body2');
          const variant = variantKey(keyOf(chat(scope), 'body3'), 'c'.repeat(64));
          expect(await store.set(variant, response(chat(scope)))).toBe(true);
          keys[`${scope} chat variant`] = variant;
          keys[`${scope} chat GET`] = await put(origin({ scope, method: 'GET' }));
          keys[`${scope} chat body x`] = await put(chat(scope), 'x');
          keys[`${scope} models`] = await put(models(scope));
          keys[`${scope} models/gpt`] = await put(models(scope, '/v1/models/gpt-4o'));
          keys[`${scope} embeddings`] = await put(origin({ scope, url: '/v1/embeddings' }));
        }
        return keys;
      };

      /** The names of the keys still present. */
      const remaining = async (keys: Record<string, string>): Promise<string[]> => {
        const names = Object.keys(keys);
        const flags = await present(Object.values(keys));
        return names.filter((_, index) => flags[index]);
      };

      const purged = async (selector: PurgeSelector, keys: Record<string, string>, gone: string[]) => {
        const expected = (await remaining(keys)).filter((name) => !gone.includes(name));
        expect(await store.purge(selector)).toBe(gone.length);
        expect(await remaining(keys)).toEqual(expected);
      };

      it('by method and URL removes every body and variant of it in every project', async () => {
        const keys = await populate();
        await purged({ kind: 'url', method: 'POST', url: '/v1/chat/completions' }, keys, [
          'project-a chat 1',
          'project-a chat 2',
          'project-a chat variant',
          'project-a chat body x',
          'project-b chat 1',
          'project-b chat 2',
          'project-b chat variant',
          'project-b chat body x',
        ]);
      });

      it('by method and URL in one project leaves the other project alone', async () => {
        const keys = await populate();
        await purged({ kind: 'url', method: 'POST', url: '/v1/chat/completions', scope: 'project-b' }, keys, [
          'project-b chat 1',
          'project-b chat 2',
          'project-b chat variant',
          'project-b chat body x',
        ]);
        expect(await store.purge({ kind: 'url', method: 'GET', url: '/v1/models', scope: 'project-a' })).toBe(
          1,
        );
        expect(await store.get(keys['project-a models']!)).toBeUndefined();
        expect(await store.get(keys['project-a models/gpt']!)).toBeDefined();
      });

      it('by URL prefix removes every method and URL under it, in every project or in one', async () => {
        const keys = await populate();
        await purged({ kind: 'prefix', prefix: '/v1/models', scope: 'project-a' }, keys, [
          'project-a models',
          'project-a models/gpt',
        ]);
        expect(await store.purge({ kind: 'prefix', prefix: '/v1/' })).toBe(Object.keys(keys).length - 2);
        expect(await remaining(keys)).toEqual([]);
      });

      it('by project removes everything of that project only', async () => {
        const keys = await populate();
        const ofA = Object.keys(keys).filter((name) => name.startsWith('project-a'));
        await purged({ kind: 'scope', scope: 'project-a' }, keys, ofA);
        expect(await store.purge({ kind: 'scope', scope: 'project-c' })).toBe(0);
      });

      it('of everything empties the store', async () => {
        const keys = await populate();
        await purged({ kind: 'all' }, keys, Object.keys(keys));
        expect(await store.stats()).toEqual({ entries: 0, bytes: 0 });
        expect(await store.purge({ kind: 'all' })).toBe(0);
      });

      it('matches glob metacharacters in URLs literally', async () => {
        const urls = [
          '/v1/files/a*',
          '/v1/files/ab',
          '/v1/files/a?',
          '/v1/files/[a]',
          '/v1/files/a',
          '/v1/files/\\a',
        ];
        const keys: Record<string, string> = {};
        for (const url of urls) keys[url] = await put(models('project-a', url));

        await purged({ kind: 'url', method: 'GET', url: '/v1/files/a*' }, keys, ['/v1/files/a*']);
        await purged({ kind: 'url', method: 'GET', url: '/v1/files/a?' }, keys, ['/v1/files/a?']);
        await purged({ kind: 'prefix', prefix: '/v1/files/[' }, keys, ['/v1/files/[a]']);
        await purged({ kind: 'prefix', prefix: '/v1/files/\\' }, keys, ['/v1/files/\\a']);
        await purged({ kind: 'url', method: 'G*', url: '/v1/files/a' }, keys, []);
        expect(await remaining(keys)).toEqual(['/v1/files/ab', '/v1/files/a']);
      });
    });

    it('counts the entries and bytes it holds, after writes, overwrites and purges', async () => {
      expect(await store.stats()).toEqual({ entries: 0, bytes: 0 });
      const small = await put(origin(), 'small');
      const one = await store.stats();
      expect(one.entries).toBe(1);
      expect(one.bytes).toBeGreaterThan(0);

      const large = keyOf(origin(), 'large');
      expect(await store.set(large, response(origin(), 'x'.repeat(10_000)))).toBe(true);
      const two = await store.stats();
      expect(two.entries).toBe(2);
      expect(two.bytes).toBeGreaterThan(one.bytes + 10_000);

      // Overwriting the large item with a small one gives its bytes back.
      expect(await store.set(large, response(origin(), 'small'))).toBe(true);
      expect(await store.stats()).toEqual({ entries: 2, bytes: one.bytes * 2 });

      expect(await store.purge({ kind: 'url', method: 'POST', url: '/v1/chat/completions' })).toBe(2);
      expect(await store.stats()).toEqual({ entries: 0, bytes: 0 });
      expect(await store.get(small)).toBeUndefined();
    });
  });
}
