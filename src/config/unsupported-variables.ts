/**
 * Variables of the original program that this one does not read, with why: said as "not supported" rather
 * than "unknown", so an operator switching over knows the setting was recognised and what happens instead.
 * Names ending in `*` cover every variable with that prefix.
 */
export const UNSUPPORTED_VARIABLES: Readonly<Record<string, string>> = {
  REQUEST_TIMEOUT:
    'not supported: a total request timeout would cut long streams; the provider file sets connect, response_header and idle_read timeouts',
  LOG_BINARY_RESPONSES:
    'not supported: binary bodies are replaced by a note in every event backend (their size is kept)',
  LLM_PROXY_DISPATCHER_VERBOSE:
    'not supported yet: no backend sends the response headers as metadata (Helicone always receives them)',
  DISPATCHER_DETACH:
    'not supported: `llm-proxy dispatcher` runs in the foreground; run it under a supervisor',
  'EVENTDISPATCHER_*': 'not supported: the legacy event dispatcher is replaced by `llm-proxy dispatcher`',
  REDIS_CACHE_POOL_SIZE: 'not supported: the Redis cache pipelines every command over one connection',
  CACHE_STATS_BUFFER_SIZE:
    'not supported: cache hits are counted with the request counts (USAGE_FLUSH_INTERVAL, USAGE_FLUSH_THRESHOLD)',
  USAGE_STATS_BUFFER_SIZE: 'not supported: request counts are batched by USAGE_FLUSH_INTERVAL',
  'LLM_PROXY_ACTIVE_CACHE_*': 'not supported: TOKEN_CACHE_TTL and TOKEN_CACHE_MAX cover projects as well',
  'LLM_PROXY_API_KEY_CACHE_*':
    'not supported: TOKEN_CACHE_TTL and TOKEN_CACHE_MAX cover project keys as well',
  DATABASE_MAX_IDLE_CONNS: 'not supported: DATABASE_POOL_SIZE bounds the PostgreSQL pool',
  DATABASE_CONN_MAX_LIFETIME: 'not supported: DATABASE_POOL_SIZE bounds the PostgreSQL pool',
  ADMIN_UI_TEMPLATE_DIR: 'not supported: the admin UI ships its pages and assets in the package',
  ADMIN_USER: 'not supported (the original did not read it either)',
  ADMIN_PASSWORD: 'not supported (the original did not read it either)',
  'CORS_*': 'not supported: CORS follows allowed_origins of each provider in the provider file',
  GLOBAL_RATE_LIMIT: 'not supported yet (rate limits come later)',
  IP_RATE_LIMIT: 'not supported yet (rate limits come later)',
  'DISTRIBUTED_RATE_LIMIT_*': 'not supported yet (rate limits come later)',
  MAX_CONCURRENT_REQUESTS: 'not supported (the original did not apply it either)',
  API_ENV: 'not supported (the original did not apply it either)',
  ENABLE_STREAMING: 'not supported: streams are always relayed',
  TOKEN_CLEANUP_INTERVAL: 'not supported (the original did not apply it either)',
  LOG_MAX_SIZE_MB: 'not supported: logs are not rotated; use logrotate (copytruncate) or the supervisor',
  LOG_MAX_BACKUPS: 'not supported: logs are not rotated; use logrotate (copytruncate) or the supervisor',
  ENABLE_TLS: 'not supported: terminate TLS in a reverse proxy or load balancer',
  'TLS_*': 'not supported: terminate TLS in a reverse proxy or load balancer',
  MASK_API_KEYS: 'not supported: API keys are always masked',
  VALIDATE_API_KEY_FORMAT: 'not supported (the original did not apply it either)',
  DEFAULT_TOKEN_LIFETIME: 'not supported: each token is given its duration when it is issued',
  DEFAULT_TOKEN_REQUEST_LIMIT: 'not supported: each token is given its max_requests when it is issued',
  WORKER_POOL_SIZE: 'not supported (the original did not apply it either)',
  REDIS_PASSWORD: 'not supported: put the password in REDIS_URL (redis://:password@host:6379)',
  DAEMON: 'not supported: `llm-proxy server` runs in the foreground; see `--daemon` in the README',
};

/** Why an original program's variable is not read, or undefined when the name is not one of them. */
export function unsupportedReason(name: string): string | undefined {
  const exact = UNSUPPORTED_VARIABLES[name];
  if (exact !== undefined) return exact;
  for (const [pattern, reason] of Object.entries(UNSUPPORTED_VARIABLES)) {
    if (pattern.endsWith('*') && name.startsWith(pattern.slice(0, -1))) return reason;
  }
  return undefined;
}
