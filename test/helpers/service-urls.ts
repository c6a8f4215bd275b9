/** PostgreSQL server used by tests (a fresh database is created on it per suite). */
export const TEST_POSTGRES_URL =
  process.env.LLM_PROXY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Redis server used by tests. */
export const TEST_REDIS_URL = process.env.LLM_PROXY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The Chromium the browser tests drive (Debian's `chromium` package). */
export const CHROMIUM_PATH = process.env.LLM_PROXY_TEST_CHROMIUM ?? '/usr/bin/chromium';
