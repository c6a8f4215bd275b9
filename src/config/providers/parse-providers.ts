import { parseDuration, parseInteger } from '../parse-values.js';
import type { ErrorFormat, ProviderConfig, ProviderTimeouts, ProvidersConfig } from './provider-config.js';

const PROVIDER_KEYS = new Set([
  'base_url',
  'auth',
  'allowed_endpoints',
  'allowed_methods',
  'timeouts',
  'connection',
  'param_whitelist',
  'allowed_origins',
  'required_headers',
  'error_format',
  'request_stream_usage',
]);
const TIMEOUT_KEYS: Record<string, keyof ProviderTimeouts | undefined> = {
  connect: 'connect',
  response_header: 'responseHeader',
  idle_read: 'idleRead',
  idle_connection: 'idleConnection',
  // Accepted for compatibility with the original's files; a total limit would cut long streams.
  request: undefined,
  flush_interval: undefined,
};
const DEFAULT_TIMEOUTS: ProviderTimeouts = {
  connect: 10_000,
  responseHeader: 600_000,
  idleRead: 300_000,
  idleConnection: 90_000,
};
const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * Validates a parsed provider document (the `api_providers.yaml` schema of the original program, plus
 * `auth`) and returns every problem found, or the providers.
 */
export function parseProviders(
  document: unknown,
  source: string,
  defaultOverride: string | undefined,
): { ok: true; value: ProvidersConfig } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  if (!isRecord(document))
    return { ok: false, problems: [`${source}: must be a mapping with default_api and apis`] };
  for (const key of Object.keys(document)) {
    if (key !== 'default_api' && key !== 'apis') problems.push(`${source}: unknown key "${key}"`);
  }
  const apis = document.apis;
  const providers = new Map<string, ProviderConfig>();
  if (!isRecord(apis) || Object.keys(apis).length === 0) {
    problems.push(`${source}: no API providers configured (apis is empty)`);
  } else {
    for (const [name, raw] of Object.entries(apis)) {
      const provider = parseProvider(name, raw, `${source}: apis.${name}`, problems);
      if (provider) providers.set(name, provider);
    }
  }
  const fileDefault = typeof document.default_api === 'string' ? document.default_api : undefined;
  const defaultProvider = defaultOverride ?? fileDefault;
  if (defaultProvider === undefined) {
    problems.push(`${source}: default_api is required`);
  } else if (isRecord(apis) && !(defaultProvider in apis)) {
    problems.push(`${source}: default API '${defaultProvider}' not found in apis`);
  }
  if (problems.length > 0 || defaultProvider === undefined) return { ok: false, problems };
  return { ok: true, value: { defaultProvider, providers, source } };
}

function parseProvider(
  name: string,
  raw: unknown,
  where: string,
  problems: string[],
): ProviderConfig | undefined {
  if (!isRecord(raw)) {
    problems.push(`${where}: must be a mapping`);
    return undefined;
  }
  const before = problems.length;
  for (const key of Object.keys(raw)) {
    if (!PROVIDER_KEYS.has(key)) problems.push(`${where}: unknown key "${key}"`);
  }
  const origin = parseOrigin(raw.base_url, where, problems);
  const allowedEndpoints = stringList(raw.allowed_endpoints, `${where}.allowed_endpoints`, problems, true);
  for (const endpoint of allowedEndpoints) {
    if (!endpoint.startsWith('/'))
      problems.push(`${where}.allowed_endpoints: "${endpoint}" must start with /`);
  }
  const allowedMethods = stringList(raw.allowed_methods, `${where}.allowed_methods`, problems, true).map(
    (method) => method.toUpperCase(),
  );
  for (const method of allowedMethods) {
    if (!HTTP_METHODS.has(method))
      problems.push(`${where}.allowed_methods: "${method}" is not an HTTP method`);
  }
  const requiredHeaders = stringList(raw.required_headers, `${where}.required_headers`, problems, false).map(
    (h) => h.toLowerCase(),
  );
  for (const header of requiredHeaders) {
    if (header !== 'origin')
      problems.push(`${where}.required_headers: only "origin" is supported, not "${header}"`);
  }
  const whitelist = parseWhitelist(raw.param_whitelist, `${where}.param_whitelist`, problems);
  const auth = parseAuth(raw.auth, `${where}.auth`, problems);
  const errorFormat = parseErrorFormat(raw.error_format, auth, `${where}.error_format`, problems);
  const provider: ProviderConfig = {
    name,
    origin,
    auth,
    allowedEndpoints,
    allowedMethods,
    timeouts: parseTimeouts(raw.timeouts, `${where}.timeouts`, problems),
    maxConnections: parseConnection(raw.connection, `${where}.connection`, problems),
    paramWhitelist: whitelist,
    hasParamWhitelist: Object.keys(whitelist).length > 0,
    allowedOrigins: stringList(raw.allowed_origins, `${where}.allowed_origins`, problems, false),
    requireOrigin: requiredHeaders.includes('origin'),
    errorFormat,
    requestStreamUsage: parseFlag(
      raw.request_stream_usage,
      errorFormat === 'openai',
      `${where}.request_stream_usage`,
      problems,
    ),
  };
  return problems.length === before ? provider : undefined;
}

function parseOrigin(raw: unknown, where: string, problems: string[]): string {
  if (typeof raw !== 'string' || raw.trim() === '') {
    problems.push(`${where}: base_url is required`);
    return '';
  }
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
    return url.origin;
  } catch {
    problems.push(`${where}: base_url "${raw}" is not an http(s) URL`);
    return '';
  }
}

function parseAuth(raw: unknown, where: string, problems: string[]): ProviderConfig['auth'] {
  if (raw === undefined) return { header: 'authorization', scheme: 'Bearer' };
  if (!isRecord(raw) || typeof raw.header !== 'string' || !HEADER_NAME.test(raw.header)) {
    problems.push(`${where}: must be { header: <header name>, scheme: <prefix or empty> }`);
    return { header: 'authorization', scheme: 'Bearer' };
  }
  const scheme = raw.scheme ?? '';
  if (typeof scheme !== 'string') problems.push(`${where}.scheme: must be a string`);
  for (const key of Object.keys(raw)) {
    if (key !== 'header' && key !== 'scheme') problems.push(`${where}: unknown key "${key}"`);
  }
  return { header: raw.header.toLowerCase(), scheme: typeof scheme === 'string' ? scheme.trim() : '' };
}

/** `openai` or `anthropic`; by default `anthropic` for a provider that takes its key in `x-api-key`, as Anthropic does. */
function parseErrorFormat(
  raw: unknown,
  auth: ProviderConfig['auth'],
  where: string,
  problems: string[],
): ErrorFormat {
  if (raw === undefined) return auth.header === 'x-api-key' ? 'anthropic' : 'openai';
  if (raw === 'openai' || raw === 'anthropic') return raw;
  problems.push(`${where}: must be openai or anthropic`);
  return 'openai';
}

/** A true/false key; `fallback` when it is absent. */
function parseFlag(raw: unknown, fallback: boolean, where: string, problems: string[]): boolean {
  if (raw === undefined) return fallback;
  if (typeof raw === 'boolean') return raw;
  problems.push(`${where}: must be true or false`);
  return fallback;
}

function parseTimeouts(raw: unknown, where: string, problems: string[]): ProviderTimeouts {
  if (raw === undefined) return DEFAULT_TIMEOUTS;
  if (!isRecord(raw)) {
    problems.push(`${where}: must be a mapping`);
    return DEFAULT_TIMEOUTS;
  }
  const timeouts: Record<keyof ProviderTimeouts, number> = { ...DEFAULT_TIMEOUTS };
  for (const [key, value] of Object.entries(raw)) {
    if (!(key in TIMEOUT_KEYS)) {
      problems.push(`${where}: unknown key "${key}"`);
      continue;
    }
    const parsed = parseDuration(String(value));
    if (!parsed.ok) problems.push(`${where}.${key}: ${parsed.problem}`);
    const field = TIMEOUT_KEYS[key];
    if (parsed.ok && field !== undefined) timeouts[field] = parsed.value;
  }
  return timeouts;
}

function parseConnection(raw: unknown, where: string, problems: string[]): number | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) {
    problems.push(`${where}: must be a mapping`);
    return undefined;
  }
  let max: number | undefined;
  for (const [key, value] of Object.entries(raw)) {
    const parsed = parseInteger(String(value), 1, 100_000);
    if (!parsed.ok) problems.push(`${where}.${key}: ${parsed.problem}`);
    if (key === 'max_conns_per_host' && parsed.ok) max = parsed.value;
    else if (key !== 'max_idle_conns' && key !== 'max_idle_conns_per_host') {
      problems.push(`${where}: unknown key "${key}"`);
    }
  }
  return max;
}

function parseWhitelist(raw: unknown, where: string, problems: string[]): Record<string, string[]> {
  if (raw === undefined || raw === null) return {};
  if (!isRecord(raw)) {
    problems.push(`${where}: must map field names to lists of patterns`);
    return {};
  }
  const whitelist: Record<string, string[]> = {};
  for (const [field, patterns] of Object.entries(raw)) {
    whitelist[field] = stringList(patterns, `${where}.${field}`, problems, true);
  }
  return whitelist;
}

function stringList(raw: unknown, where: string, problems: string[], required: boolean): string[] {
  if (raw === undefined || raw === null) {
    if (required) problems.push(`${where}: must be a non-empty list`);
    return [];
  }
  if (!Array.isArray(raw) || raw.some((item) => typeof item !== 'string' || item.trim() === '')) {
    problems.push(`${where}: must be a list of non-empty strings`);
    return [];
  }
  if (required && raw.length === 0) problems.push(`${where}: must be a non-empty list`);
  return (raw as string[]).map((item) => item.trim());
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
