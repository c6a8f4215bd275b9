import type { Config } from './config.js';
import { closestName } from './did-you-mean.js';
import { PROVIDER_BASE_URL_VARIABLE } from './provider-overrides.js';
import { providerVariableName } from './providers/index.js';
import { unsupportedReason } from './unsupported-variables.js';
import { mergeSources } from './variable-reader.js';
import type { ConfigSources } from './variable-reader.js';
import { VARIABLES } from './variables.js';

/**
 * Prefixes of the variables this program or the original reads: an environment variable with one of them
 * that nobody reads is probably a typo. Other environment variables belong to other programs and are left
 * alone; every key of the dotenv file is checked.
 */
const KNOWN_PREFIXES = [
  'LLM_PROXY_',
  'OPENAI_',
  'ANTHROPIC_',
  'REDIS_',
  'DATABASE_',
  'LOG_',
  'AUDIT_',
  'HTTP_CACHE_',
  'OBSERVABILITY_',
  'EVENT_SPOOL_',
  'DISPATCHER_',
  'USAGE_',
  'METRICS_',
  'MANAGEMENT_',
  'ENCRYPTION_',
  'TOKEN_',
  'CIRCUIT_BREAKER_',
  'ADMIN_UI_',
];
/** Other programs' variables that share a known prefix (the providers' own SDKs read these). */
const OTHER_PROGRAMS = new Set([
  'OPENAI_ORG_ID',
  'OPENAI_PROJECT_ID',
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
]);
/** Variables of the providers' SDKs that people set to point llm-proxy somewhere, and what does that here. */
const SDK_LOOKALIKES: Readonly<Record<string, string>> = {
  OPENAI_BASE_URL: 'OPENAI_API_URL',
  ANTHROPIC_BASE_URL: 'LLM_PROXY_PROVIDER_ANTHROPIC_BASE_URL',
};
const DECLARED = new Set(VARIABLES.map((variable) => variable.name));

/** Options of {@link configWarnings}. */
export interface ConfigWarningsOptions {
  /** Variables the command reads itself besides the configuration (`ENV`, `PID_FILE` …). */
  readonly commandVariables?: readonly string[];
  /** How the dotenv file is named in the warnings. @default '.env' */
  readonly dotenvLabel?: string;
}

/**
 * Settings that change nothing, found once at start: unknown variables (with the likely intended name), the
 * original program's variables this one does not support, and settings another one makes irrelevant
 * (`DATABASE_URL` with `DB_DRIVER=sqlite`). A setting that is silently ignored is a bug; these are said aloud.
 */
export function configWarnings(
  sources: ConfigSources,
  config: Config,
  options: ConfigWarningsOptions = {},
): string[] {
  const known = new Set([...DECLARED, ...(options.commandVariables ?? [])]);
  const warnings: string[] = [];
  const dotenvLabel = options.dotenvLabel ?? '.env';
  const checked = new Set<string>();
  const check = (name: string, where: string): void => {
    if (checked.has(name) || known.has(name) || PROVIDER_BASE_URL_VARIABLE.test(name)) return;
    checked.add(name);
    const unsupported = unsupportedReason(name);
    if (unsupported !== undefined) {
      warnings.push(`${name} (${where}): ${unsupported}; it has no effect`);
      return;
    }
    const suggestion = SDK_LOOKALIKES[name] ?? closestName(name, known);
    const hint = suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
    warnings.push(`${name} (${where}): unknown variable, it has no effect${hint}`);
  };
  for (const name of Object.keys(sources.dotenv ?? {})) check(name, dotenvLabel);
  for (const [name, value] of Object.entries(sources.env ?? {})) {
    if (value === undefined || OTHER_PROGRAMS.has(name)) continue;
    const ours =
      KNOWN_PREFIXES.some((prefix) => name.startsWith(prefix)) || unsupportedReason(name) !== undefined;
    if (ours) check(name, 'environment');
  }
  warnings.push(...ineffectiveSettings(mergeSources(sources), config));
  return warnings;
}

/**
 * Event and usage settings that others make irrelevant. Dispatcher settings are not among them while the
 * dispatcher runs apart: a `.env` shared with `llm-proxy dispatcher` holds them for that process.
 */
function ineffectiveEventSettings(set: (name: string) => boolean, config: Config): string[] {
  const warnings: string[] = [];
  const unused = (names: readonly string[], because: string): void => {
    for (const name of names) if (set(name)) warnings.push(`${name}: has no effect ${because}`);
  };
  const streamSettings = [
    'REDIS_STREAM_KEY',
    'REDIS_STREAM_MAX_LEN',
    'EVENT_SPOOL_PATH',
    'EVENT_SPOOL_MAX_BYTES',
  ];
  if (!config.events.enabled) {
    const eventSettings = VARIABLES.filter(
      (variable) => variable.section === 'events' && variable.name !== 'OBSERVABILITY_ENABLED',
    ).map((variable) => variable.name);
    unused([...eventSettings, 'DISPATCHER_IN_PROCESS'], 'with OBSERVABILITY_ENABLED=false');
  } else if (config.events.bus === 'memory') unused(streamSettings, 'with LLM_PROXY_EVENT_BUS=memory');
  if (!config.usage.enabled)
    unused(['USAGE_PRICES_FILE', 'USAGE_ROLLUP_INTERVAL'], 'with USAGE_ENABLED=false');
  return warnings;
}

/** Declared settings that the value of another one makes irrelevant. */
function ineffectiveSettings(values: Readonly<Record<string, string>>, config: Config): string[] {
  const set = (name: string): boolean => (values[name] ?? '').trim() !== '';
  const warnings: string[] = [];
  const unused = (names: readonly string[], because: string): void => {
    for (const name of names) if (set(name)) warnings.push(`${name}: has no effect ${because}`);
  };
  if (config.database.driver === 'sqlite') {
    unused(['DATABASE_URL', 'DATABASE_POOL_SIZE'], 'with DB_DRIVER=sqlite');
  } else unused(['DATABASE_PATH'], 'with DB_DRIVER=postgres');
  if (set('DEBUG') && config.log.level === 'debug') unused(['LOG_LEVEL'], 'when DEBUG is true');
  if (config.log.format === 'console') unused(['LOG_LAYOUT'], 'with LOG_FORMAT=console');
  if (!config.metrics.enabled) unused(['METRICS_PATH', 'METRICS_REQUIRE_AUTH'], 'with ENABLE_METRICS=false');
  if (!config.audit.enabled) {
    unused(['AUDIT_LOG_FILE', 'AUDIT_CREATE_DIR', 'AUDIT_STORE_IN_DB'], 'with AUDIT_ENABLED=false');
  }
  if (set('REDIS_URL')) unused(['REDIS_ADDR', 'REDIS_DB'], 'when REDIS_URL is set');
  if (config.redis.url === undefined) unused(['REDIS_INVALIDATION_CHANNEL'], 'without Redis');
  const cacheSettings = VARIABLES.filter(
    (variable) => variable.section === 'cache' && variable.name !== 'HTTP_CACHE_ENABLED',
  ).map((variable) => variable.name);
  if (!config.cache.enabled) unused(cacheSettings, 'with HTTP_CACHE_ENABLED=false');
  else if (config.cache.backend === 'memory') {
    unused(
      ['REDIS_CACHE_URL', 'REDIS_CACHE_KEY_PREFIX', 'REDIS_CACHE_TIMEOUT', 'REDIS_SCAN_COUNT'],
      'with HTTP_CACHE_BACKEND=memory',
    );
  } else unused(['HTTP_CACHE_MAX_BYTES'], 'with HTTP_CACHE_BACKEND=redis (Redis bounds its own memory)');
  warnings.push(...ineffectiveEventSettings(set, config));
  const providers = [...config.providers.providers.keys()];
  const byVariableName = new Set(providers.map(providerVariableName));
  for (const name of Object.keys(values)) {
    const provider = PROVIDER_BASE_URL_VARIABLE.exec(name)?.[1];
    if (provider === undefined || byVariableName.has(provider) || !set(name)) continue;
    const suggestion = closestName(provider, [...byVariableName]);
    const hint = suggestion === undefined ? '' : ` (did you mean LLM_PROXY_PROVIDER_${suggestion}_BASE_URL?)`;
    warnings.push(
      `${name}: has no effect: no provider is named ${provider.toLowerCase()} (${config.providers.source} defines ${providers.join(', ')})${hint}`,
    );
  }
  if (set('LLM_PROXY_PROVIDER_OPENAI_BASE_URL')) {
    unused(['OPENAI_API_URL'], 'when LLM_PROXY_PROVIDER_OPENAI_BASE_URL is set');
  } else if (!byVariableName.has('OPENAI')) {
    unused(['OPENAI_API_URL'], `because ${config.providers.source} defines no openai provider`);
  }
  return warnings;
}
