import { ConfigError, dispatcherServiceProblems, mergeSources, resolveConfig } from '../../config/index.js';
import type { ConfigOf, ConfigSources, DispatcherServiceConfig, EventsConfig } from '../../config/index.js';

/** What `llm-proxy dispatcher` resolves. */
export type DispatcherCommandConfig = ConfigOf<'log' | 'redis' | 'events' | 'dispatcher'>;

/** What `llm-proxy dispatcher replay` resolves. */
export type ReplayCommandConfig = ConfigOf<'log' | 'redis' | 'events'>;

/** Why a process of its own cannot use the memory bus, and what to do instead. */
const MEMORY_BUS_PROBLEM =
  'LLM_PROXY_EVENT_BUS: must be redis-streams for `llm-proxy dispatcher` — a separate process cannot read the memory bus of a server. Set LLM_PROXY_EVENT_BUS=redis-streams (with REDIS_URL or REDIS_ADDR) for server and dispatcher, or deliver from within the server: FILE_EVENT_LOG=<file> or DISPATCHER_IN_PROCESS=true';

/** The variables that make up the backend's configuration (DispatcherServiceConfig). */
const SERVICE_VARIABLES = [
  'DISPATCHER_SERVICE',
  'DISPATCHER_ENDPOINT',
  'LLM_PROXY_API_KEY',
  'DISPATCHER_HEADERS',
  'DISPATCHER_CAPTURE_CONTENT',
] as const;

const REPLAY_MEMORY_BUS_PROBLEM =
  'LLM_PROXY_EVENT_BUS: must be redis-streams for `llm-proxy dispatcher replay` (the memory bus keeps nothing to replay)';

/**
 * Resolves the sections the dispatcher uses and adds what keeps it from running — the backend's requirements
 * and a bus it can read — so that every problem is reported at once in one ConfigError.
 */
export function resolveDispatcherConfig(sources: ConfigSources): DispatcherCommandConfig {
  const problems: string[] = [];
  const config = attempt(() => resolveConfig(sources, ['log', 'redis', 'events', 'dispatcher']), problems);
  const service = config?.dispatcher.service ?? serviceAlone(sources);
  if (service !== undefined) problems.push(...dispatcherServiceProblems(service));
  if (busOf(sources, config?.events) !== 'redis-streams') problems.push(MEMORY_BUS_PROBLEM);
  if (config === undefined || problems.length > 0) throw new ConfigError([...new Set(problems)]);
  return config;
}

/** Resolves what `replay` needs: the Redis Streams bus (its Redis and stream key) and the log. */
export function resolveReplayConfig(sources: ConfigSources): ReplayCommandConfig {
  const problems: string[] = [];
  const config = attempt(() => resolveConfig(sources, ['log', 'redis', 'events']), problems);
  if (busOf(sources, config?.events) !== 'redis-streams') problems.push(REPLAY_MEMORY_BUS_PROBLEM);
  if (config === undefined || problems.length > 0) throw new ConfigError([...new Set(problems)]);
  return config;
}

function attempt<T>(resolve: () => T, problems: string[]): T | undefined {
  try {
    return resolve();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
    return undefined;
  }
}

/**
 * The backend as configured, read from its own variables only: when another setting is invalid the section
 * does not resolve, yet what the backend lacks is still worth saying in the same report. Undefined when the
 * backend's own variables are invalid (that problem is reported already).
 */
function serviceAlone(sources: ConfigSources): DispatcherServiceConfig | undefined {
  const merged = mergeSources(sources);
  const flags: Record<string, string> = {};
  for (const name of SERVICE_VARIABLES) {
    const value = merged[name];
    if (value !== undefined) flags[name] = value;
  }
  return attempt(() => resolveConfig({ flags }, ['dispatcher']), [])?.dispatcher.service;
}

/** The configured bus, read from the raw value when its section did not resolve. */
function busOf(sources: ConfigSources, events: EventsConfig | undefined): string {
  if (events !== undefined) return events.bus;
  return (mergeSources(sources).LLM_PROXY_EVENT_BUS ?? '').trim().toLowerCase();
}
