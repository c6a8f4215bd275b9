import { describe, expect, it } from 'vitest';

import { createApiKeyCipher } from '../../src/core/index.js';
import { openStore } from '../../src/store/index.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import { createTestDatabase } from '../helpers/test-database.js';
import { createTestStore } from '../helpers/test-store.js';

const KEY = Buffer.alloc(32, 7);
const PLAINTEXT_KEY = 'sk-proj-plaintext-at-rest-0123456789';

describe('start-up check of provider keys at rest', () => {
  it('warns with the number of projects holding plaintext keys and the command that fixes it, never a key', async () => {
    const testStore = await createTestStore('sqlite');
    try {
      await testStore.store.projects.create({ name: 'a', apiKey: PLAINTEXT_KEY });
      await testStore.store.projects.create({ name: 'b', apiKey: `${PLAINTEXT_KEY}-b` });
      await testStore.store.projects.create({ name: 'empty', apiKey: '' });
      const gateway = await startTestGateway({ store: testStore.store, listen: false });
      await gateway.close();
      const warning = gateway.logs.entries.find((e) => String(e.msg).includes('unencrypted'));
      expect(warning).toMatchObject({ level: 40, projects: 2 });
      expect(String(warning?.msg)).toContain('set ENCRYPTION_KEY');
      expect(String(warning?.msg)).toContain('llm-proxy migrate encrypt');
      expect(gateway.logs.text).not.toContain(PLAINTEXT_KEY);
    } finally {
      await testStore.cleanup();
    }
  });

  it('says nothing when every key is encrypted with the current key', async () => {
    const testStore = await createTestStore('sqlite', createApiKeyCipher(KEY));
    try {
      await testStore.store.projects.create({ name: 'a', apiKey: PLAINTEXT_KEY });
      const gateway = await startTestGateway({
        store: testStore.store,
        env: { ENCRYPTION_KEY: KEY.toString('base64') },
        listen: false,
      });
      await gateway.close();
      expect(gateway.logs.text).not.toContain('unencrypted');
      expect(gateway.logs.text).not.toContain('ENCRYPTION_KEYS_PREVIOUS');
    } finally {
      await testStore.cleanup();
    }
  });

  it('names keys still encrypted with a previous key', async () => {
    const old = Buffer.alloc(32, 8);
    const database = await createTestDatabase('sqlite');
    try {
      const before = await openStore({ database: database.config, cipher: createApiKeyCipher(old) });
      await before.migrations.latest();
      await before.projects.create({ name: 'a', apiKey: PLAINTEXT_KEY });
      await before.close();
      // The store as the server opens it after the rotation: the new key, the old one as previous.
      const store = await openStore({ database: database.config, cipher: createApiKeyCipher(KEY, [old]) });
      try {
        const gateway = await startTestGateway({
          store,
          env: { ENCRYPTION_KEY: KEY.toString('base64'), ENCRYPTION_KEYS_PREVIOUS: old.toString('base64') },
          listen: false,
        });
        await gateway.close();
        const warning = gateway.logs.entries.find((e) => String(e.msg).includes('ENCRYPTION_KEYS_PREVIOUS'));
        expect(warning).toMatchObject({ level: 40, projects: 1 });
        expect(String(warning?.msg)).toContain('llm-proxy migrate encrypt');
      } finally {
        await store.close();
      }
    } finally {
      await database.cleanup();
    }
  });
});
