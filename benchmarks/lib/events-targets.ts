import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { safeUrl } from './bench-redis.js';
import { compileBenchmarkHelpers } from './compile-helpers.js';
import type { EventsLegName, EventsRunOptions } from './events-options.js';
import type { EventsRedis } from './events-redis.js';
import { startFakeUpstream } from './helper-servers.js';
import { startLlmProxy } from './llm-proxy-server.js';
import { UPSTREAM_API_KEY } from './scenarios.js';
import type { Target } from './scenarios.js';
import { prepareServerCommand } from './server-runner.js';
import type { RunnerKind, ServerCommand } from './server-runner.js';

const LLM_PROXY_START_TIMEOUT_MS = 60_000;
/** The in-process JSONL file of FILE_EVENT_LOG, in each process's own folder. */
const EVENT_LOG_FILE = 'events.jsonl';

/**
 * The llm-proxy processes of an events run, one per setting so that none inherits another's heap or JIT state:
 * events off (the baseline), events on with the memory bus read by the in-process JSONL file, and events on
 * with Redis Streams (publishing only; a dispatcher would be a process of its own).
 */
export const EVENTS_TARGETS = ['events-off', 'events-memory', 'events-redis'] as const;

/** One of the llm-proxy processes of an events run. */
export type EventsTargetName = (typeof EVENTS_TARGETS)[number];

/** One started llm-proxy process of an events run. */
export interface EventsProcess {
  readonly target: Target<EventsTargetName>;
  /** The FILE_EVENT_LOG path it was given, if any (events off gets one too: it must stay empty). */
  readonly eventLog?: string;
}

/** The servers of an events run, ready to be measured; a process is absent when its leg is not run. */
export interface EventsTargets {
  readonly direct: Target<'direct'>;
  /** In the order of {@link EVENTS_TARGETS}; events off always first. */
  readonly processes: readonly EventsProcess[];
  /** How llm-proxy ran, for the report. */
  readonly runner: { readonly runner: RunnerKind; readonly reason: string };
  /** The settings each llm-proxy process was given, for the report (no secrets in them). */
  readonly settings: Partial<Record<EventsTargetName, Readonly<Record<string, string>>>>;
}

/** Which processes the chosen legs need: events off always, as every ratio's baseline. */
export function targetsOfLegs(legs: readonly EventsLegName[]): EventsTargetName[] {
  return EVENTS_TARGETS.filter(
    (name) =>
      name === 'events-off' ||
      (name === 'events-memory' && legs.includes('memory')) ||
      (name === 'events-redis' && legs.includes('redis')),
  );
}

/**
 * Starts the fake upstream and the llm-proxy processes of the chosen legs, each with its own throw-away SQLite
 * database, project and token. llm-proxy is compiled once; with `--cpu-prof` every proxy writes its profile
 * into `<workDir>/profiles/<name>` when it stops.
 */
export async function startEventsTargets(
  options: EventsRunOptions,
  workDir: string,
  repoRoot: string,
  redis: EventsRedis | undefined,
  progress: (message: string) => void,
): Promise<EventsTargets> {
  const profileArgs = (name: string): string[] =>
    options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(workDir, 'profiles', name)}`] : [];
  progress('compiling the fake upstream');
  const helpersDir = compileBenchmarkHelpers(repoRoot, join(workDir, 'helpers'));
  progress('starting the fake upstream');
  const upstream = await startFakeUpstream({ helpersDir, sseDelayMs: 0 });
  const direct: Target<'direct'> = {
    name: 'direct',
    origin: upstream.origin,
    authorization: `Bearer ${UPSTREAM_API_KEY}`,
    pid: upstream.child.pid,
  };
  const processes: EventsProcess[] = [];
  const settings: Partial<Record<EventsTargetName, Readonly<Record<string, string>>>> = {};
  let command: ServerCommand | undefined;
  for (const name of targetsOfLegs(options.legs)) {
    command ??= await prepareServerCommand(repoRoot, options.server, [], workDir);
    const instanceDir = join(workDir, name);
    mkdirSync(instanceDir);
    const env = eventSettings(name, instanceDir, options, redis);
    settings[name] = forReport(env, workDir);
    progress(`starting llm-proxy ${name}`);
    const instance = await startLlmProxy({
      name: `llm-proxy ${name}`,
      workDir: instanceDir,
      upstreamOrigin: upstream.origin,
      // Node's own flags come before the script, whichever way llm-proxy runs.
      command: { ...command, args: [...profileArgs(name), ...command.args] },
      startTimeoutMs: LLM_PROXY_START_TIMEOUT_MS,
      env,
    });
    processes.push({
      target: {
        name,
        origin: instance.origin,
        authorization: `Bearer ${instance.token}`,
        pid: instance.child.pid,
      },
      ...(env.FILE_EVENT_LOG !== undefined && { eventLog: env.FILE_EVENT_LOG }),
    });
  }
  return {
    direct,
    processes,
    runner:
      command === undefined
        ? { runner: 'dist', reason: 'not run' }
        : { runner: command.kind, reason: command.reason },
    settings,
  };
}

/** The settings without the Redis password and with paths relative to the (removed) work directory. */
function forReport(env: Readonly<Record<string, string>>, workDir: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([key, value]) => [
      key,
      key === 'REDIS_URL' ? safeUrl(value) : value.replace(workDir, '<workdir>'),
    ]),
  );
}

/** The event settings of one llm-proxy process. */
function eventSettings(
  name: EventsTargetName,
  instanceDir: string,
  options: EventsRunOptions,
  redis: EventsRedis | undefined,
): Record<string, string> {
  const eventLog = join(instanceDir, EVENT_LOG_FILE);
  switch (name) {
    case 'events-off':
      // The same file as events-memory: the one difference between the two is OBSERVABILITY_ENABLED.
      return { OBSERVABILITY_ENABLED: 'false', FILE_EVENT_LOG: eventLog };
    case 'events-memory':
      // Without a consumer in the process the memory bus builds no events at all.
      return { OBSERVABILITY_ENABLED: 'true', LLM_PROXY_EVENT_BUS: 'memory', FILE_EVENT_LOG: eventLog };
    case 'events-redis':
      if (redis === undefined) throw new Error('the redis leg needs a Redis');
      return {
        OBSERVABILITY_ENABLED: 'true',
        LLM_PROXY_EVENT_BUS: 'redis-streams',
        REDIS_URL: options.redisUrl,
        REDIS_STREAM_KEY: redis.streamKey,
        EVENT_SPOOL_PATH: join(instanceDir, 'event-spool.jsonl'),
      };
  }
}
