/** One configuration variable: its name, default and what it means (the README's reference is kept in sync). */
export interface VariableSpec {
  readonly name: string;
  /** Value used when no source sets the variable; undefined means unset. */
  readonly default: string | undefined;
  readonly description: string;
  /** Secrets are never printed, logged or echoed in error messages. */
  readonly secret?: boolean;
}

/** Every environment variable the server reads. */
export const VARIABLES: readonly VariableSpec[] = [
  {
    name: 'MANAGEMENT_TOKEN',
    default: undefined,
    secret: true,
    description:
      'Bearer secret for /manage/*. When no source sets it, the first `server` start generates one, stores it in the dotenv file (mode 0600) and prints it once.',
  },
  {
    name: 'LISTEN_ADDR',
    default: ':8080',
    description: 'Address the server listens on (`:8080`, `127.0.0.1:8080`, `[::1]:8080`).',
  },
  { name: 'DB_DRIVER', default: 'sqlite', description: 'Database: `sqlite` or `postgres`.' },
  {
    name: 'DATABASE_PATH',
    default: './data/llm-proxy.db',
    description: 'SQLite file (`:memory:` for a throw-away database). Its folder is created.',
  },
  {
    name: 'DATABASE_URL',
    default: '',
    secret: true,
    description: 'PostgreSQL connection URL; required when `DB_DRIVER=postgres`.',
  },
  { name: 'DATABASE_POOL_SIZE', default: '10', description: 'Maximum PostgreSQL connections (1..1000).' },
  { name: 'LOG_LEVEL', default: 'info', description: '`debug`, `info`, `warn` or `error`.' },
  {
    name: 'LOG_FORMAT',
    default: 'json',
    description: '`json` (one object per line) or `console` (human-readable).',
  },
  { name: 'LOG_FILE', default: '', description: 'Append logs to this file instead of standard output.' },
  { name: 'AUDIT_ENABLED', default: 'true', description: 'Record management actions in the audit log.' },
  {
    name: 'AUDIT_LOG_FILE',
    default: './data/audit.log',
    description: 'JSONL audit file; empty keeps the audit log in the database only.',
  },
  { name: 'AUDIT_CREATE_DIR', default: 'true', description: "Create the audit file's folder when missing." },
  {
    name: 'AUDIT_STORE_IN_DB',
    default: 'true',
    description: 'Also store audit events in the `audit_events` table (needed by `GET /manage/audit`).',
  },
  {
    name: 'ENCRYPTION_KEY',
    default: '',
    secret: true,
    description:
      'Base64 of 32 random bytes; provider API keys are then stored AES-256-GCM encrypted (`enc:v1:`). `llm-proxy setup` generates one.',
  },
  {
    name: 'REQUIRE_ENCRYPTION_KEY',
    default: 'false',
    description: 'Refuse to start without `ENCRYPTION_KEY`.',
  },
  { name: 'DEBUG', default: 'false', description: 'Same as `LOG_LEVEL=debug`.' },
  {
    name: 'API_CONFIG_PATH',
    default: './config/api_providers.yaml',
    description:
      'Provider file (see "Providers"). Without a file at the default path the built-in OpenAI and Anthropic definitions apply; a path set explicitly must exist.',
  },
  {
    name: 'DEFAULT_API_PROVIDER',
    default: '',
    description: "Provider used by projects that name none; empty means the file's `default_api`.",
  },
  {
    name: 'OPENAI_API_URL',
    default: 'https://api.openai.com',
    description: 'Base URL of the built-in `openai` provider (used only when no provider file exists).',
  },
  {
    name: 'MAX_REQUEST_SIZE',
    default: '50MiB',
    description:
      'Largest JSON request body the proxy reads (413 beyond it); units B, KB, MB, GB (powers of 1024). Multipart and binary bodies stream through unbuffered.',
  },
  {
    name: 'LLM_PROXY_ENFORCE_PROJECT_ACTIVE',
    default: 'true',
    description: 'Refuse tokens of deactivated projects (403 `project_inactive`).',
  },
  {
    name: 'TOKEN_CACHE_TTL',
    default: '30s',
    description:
      'How long the proxy trusts a cached token or project without reading the database. Management changes invalidate entries at once; this is only the backstop for changes made elsewhere.',
  },
  { name: 'TOKEN_CACHE_MAX', default: '10000', description: 'Most tokens and projects kept in that cache.' },
  {
    name: 'USAGE_FLUSH_INTERVAL',
    default: '5s',
    description:
      'How often request counts of tokens without `max_requests` are written (and always at shutdown).',
  },
  {
    name: 'CIRCUIT_BREAKER_THRESHOLD',
    default: '5',
    description: "Consecutive upstream failures that open a provider's circuit (503 `circuit_open`).",
  },
  {
    name: 'CIRCUIT_BREAKER_COOLDOWN',
    default: '30s',
    description: 'How long an open circuit refuses requests before one trial request is let through.',
  },
  { name: 'ENABLE_METRICS', default: 'true', description: 'Serve the metrics endpoints.' },
  {
    name: 'METRICS_PATH',
    default: '/metrics',
    description: 'JSON metrics path; Prometheus text is served at `<path>/prometheus`.',
  },
  {
    name: 'METRICS_REQUIRE_AUTH',
    default: 'false',
    description: 'Require `Authorization: Bearer <MANAGEMENT_TOKEN>` on the metrics endpoints.',
  },
];

/** Names of the variables that hold secrets. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set(
  VARIABLES.filter((variable) => variable.secret === true).map((variable) => variable.name),
);
