import { afterEach, describe, expect, it } from 'vitest';

import type { DatabaseConfig } from '../../src/config/index.js';
import {
  createApiKeyCipher,
  generateEncryptionKey,
  generateToken,
  hashToken,
  decodeEncryptionKey,
} from '../../src/core/index.js';
import { openStore } from '../../src/store/index.js';
import type { DialectName, Store } from '../../src/store/index.js';
import { createTestDatabase } from '../helpers/test-database.js';
import type { TestDatabase } from '../helpers/test-database.js';
import { TEST_DIALECTS } from '../helpers/test-store.js';
import { runCli } from './cli-harness.js';

const OLD_KEY = generateEncryptionKey();
const NEW_KEY = generateEncryptionKey();

const databases: TestDatabase[] = [];
afterEach(async () => {
  for (const database of databases.splice(0)) await database.cleanup();
});

function keyOf(text: string): Buffer {
  const key = decodeEncryptionKey(text);
  if (key === undefined) throw new Error('test key is not a key');
  return key;
}

/** The `--db` value that names a test database. */
function dbFlag(config: DatabaseConfig): string {
  return config.driver === 'sqlite' ? config.path : config.url;
}

/** Opens the database with the given ENCRYPTION_KEY (and previous keys), migrated. */
async function open(config: DatabaseConfig, key?: string, previous: string[] = []): Promise<Store> {
  const cipher = createApiKeyCipher(key === undefined ? undefined : keyOf(key), previous.map(keyOf));
  const store = await openStore({ database: config, cipher });
  await store.migrations.latest();
  return store;
}

interface Seeded {
  readonly config: DatabaseConfig;
  /** Project name → the provider key it was created with. */
  readonly keys: Record<string, string>;
  /** A token stored in plaintext, as older deployments of the original left them. */
  readonly plaintextToken: string;
}

/**
 * A database as an upgrade finds it: two plaintext keys, one key encrypted with the key now rotated out, one
 * project without a key, a token in plaintext and one hashed.
 */
async function seed(dialect: DialectName): Promise<Seeded> {
  const database = await createTestDatabase(dialect);
  databases.push(database);
  const keys: Record<string, string> = {};
  const plain = await open(database.config);
  for (const name of ['plain-a', 'plain-b']) {
    const apiKey = `sk-proj-${name}-0123456789abcdefghij`;
    keys[name] = apiKey;
    await plain.projects.create({ name, apiKey });
  }
  const empty = await plain.projects.create({ name: 'no-key', apiKey: '' });
  const plaintextToken = generateToken();
  await plain.tokens.create({
    projectId: empty.id,
    tokenHash: plaintextToken,
    preview: 'sk-****',
    expiresAt: null,
    maxRequests: null,
  });
  const hashedSecret = generateToken();
  await plain.tokens.create({
    projectId: empty.id,
    tokenHash: hashToken(hashedSecret),
    preview: 'sk-****',
    expiresAt: null,
    maxRequests: null,
  });
  await plain.close();
  const old = await open(database.config, OLD_KEY);
  const oldKeyValue = 'sk-ant-old-key-0123456789abcdefghij';
  keys['old-key'] = oldKeyValue;
  await old.projects.create({ name: 'old-key', apiKey: oldKeyValue });
  await old.close();
  return { config: database.config, keys, plaintextToken };
}

function migrate(args: readonly string[], env: Record<string, string> = {}) {
  return runCli(['migrate', ...args], { env });
}

describe.each(TEST_DIALECTS)('llm-proxy migrate encrypt on %s', (dialect) => {
  it('encrypts plaintext keys, re-encrypts those of a previous key, hashes plaintext tokens; a second run changes nothing', async () => {
    const { config, keys, plaintextToken } = await seed(dialect);
    const env = { ENCRYPTION_KEY: NEW_KEY, ENCRYPTION_KEYS_PREVIOUS: OLD_KEY };
    const db = dbFlag(config);

    const before = await migrate(['encrypt-status', '--db', db, '--json', '--check'], env);
    expect(before.code).toBe(3);
    expect(JSON.parse(before.stdout)).toEqual({
      api_keys_encrypted: 1,
      api_keys_current_key: 0,
      api_keys_previous_key: 1,
      api_keys_plaintext: 2,
      api_keys_unreadable: 0,
      api_keys_empty: 1,
      tokens_hashed: 1,
      tokens_plaintext: 1,
    });

    const first = await migrate(['encrypt', '--db', db], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      'API keys: 2 encrypted, 1 re-encrypted with the current key, 0 already current, 1 empty, 0 unreadable',
    );
    expect(first.stdout).toContain('Tokens: 1 hashed, 1 already hashed');
    for (const value of Object.values(keys)) expect(first.stdout).not.toContain(value);

    // Only the new key is needed from now on: every key reads back as it was created.
    const current = await open(config, NEW_KEY);
    const projects = await current.projects.list();
    expect(Object.fromEntries(projects.map((p) => [p.name, p.apiKey]))).toEqual({ ...keys, 'no-key': '' });
    expect(await current.tokens.findByHash(hashToken(plaintextToken))).toBeDefined();
    expect(await current.tokens.findByHash(plaintextToken)).toBeUndefined();
    await current.close();
    const withoutKey = await open(config);
    const stored = await withoutKey.secrets.status();
    expect(stored.plaintextKeys).toBe(0);
    await withoutKey.close();

    const second = await migrate(['encrypt', '--db', db, '--json'], env);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual({
      api_keys_encrypted: 0,
      api_keys_re_encrypted: 0,
      api_keys_already_current: 3,
      api_keys_empty: 1,
      api_keys_unreadable: 0,
      tokens_hashed: 0,
      tokens_already_hashed: 2,
    });
    const after = await migrate(['encrypt-status', '--db', db, '--check'], env);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain(
      'API keys: 3 encrypted (3 with ENCRYPTION_KEY, 0 with a previous key), 0 plaintext, 0 unreadable, 1 empty',
    );
    expect(after.stdout).toContain('Tokens: 2 hashed, 0 plaintext');
  });

  it('refuses without ENCRYPTION_KEY and changes nothing', async () => {
    const { config } = await seed(dialect);
    const refused = await migrate(['encrypt', '--db', dbFlag(config)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/ENCRYPTION_KEY is not set/);
    const store = await open(config);
    const status = await store.secrets.status();
    await store.close();
    expect(status).toMatchObject({ plaintextKeys: 2, plaintextTokens: 1 });
  });
});

describe('llm-proxy migrate encrypt with a key that is not configured', () => {
  it('leaves keys no configured key opens untouched and exits non-zero', async () => {
    const { config, keys } = await seed('sqlite');
    const result = await migrate(['encrypt', '--db', dbFlag(config)], { ENCRYPTION_KEY: NEW_KEY });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('2 encrypted, 0 re-encrypted');
    expect(result.stdout).toContain('1 unreadable');
    expect(result.stderr).toMatch(/add that key to ENCRYPTION_KEYS_PREVIOUS/);
    // Still readable with the old key: nothing was damaged.
    const store = await open(config, NEW_KEY, [OLD_KEY]);
    const project = (await store.projects.list()).find((p) => p.name === 'old-key');
    await store.close();
    expect(project?.apiKey).toBe(keys['old-key']);
  });
});
