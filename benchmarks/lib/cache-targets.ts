import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { safeUrl } from './bench-redis.js';
import type { BenchRedis } from './bench-redis.js';
import type { CacheRunOptions } from './cache-options.js';
import { compileBenchmarkHelpers } from './compile-helpers.js';
import { FAKE_CACHE_CONTROL } from './fake-openai.js';
import { startFakeUpstream, startMinimalProxy } from './helper-servers.js';
import { startLlmProxy } from './llm-proxy-server.js';
import { UPSTREAM_API_KEY } from './scenarios.js';
import type { Target } from './scenarios.js';
import { prepareServerCommand } from './server-runner.js';
import type { RunnerKind, ServerCommand } from './server-runner.js';

const LLM_PROXY_START_TIMEOUT_MS = 60_000;

/**
 * The targets of a cache run: the fake upstream (`direct`), the minimal pass-through, and one llm-proxy
 * process per cache setting, so that no leg inherits another's entries, heap or JIT state — plus `no-capture`,
 * the capture-on process asked for answers the upstream marks `no-store`: looked up, missed, relayed, not kept.
 */
export type CacheTargetName =
  'direct' | 'minimal' | 'cache-memory' | 'cache-redis' | 'capture-on' | 'no-capture' | 'capture-off';

/** The llm-proxy processes of a cache run and the cache settings each one runs with. */
export const LLM_PROXY_CACHE_TARGETS = ['cache-memory', 'cache-redis', 'capture-on', 'capture-off'] as const;

/** One of the llm-proxy processes. */
export type LlmProxyCacheTarget = (typeof LLM_PROXY_CACHE_TARGETS)[number];

/** The servers of a cache run, ready to be measured; a target is absent when its leg is not run. */
export interface CacheTargets {
  readonly direct: Target<CacheTargetName>;
  readonly byName: Partial<Record<CacheTargetName, Target<CacheTargetName>>>;
  /** How llm-proxy ran, for the report. */
  readonly runner: { readonly runner: RunnerKind; readonly reason: string };
  /** The settings each llm-proxy process was given, for the report (no secrets in them). */
  readonly settings: Partial<Record<LlmProxyCacheTarget, Readonly<Record<string, string>>>>;
}

/** The targets that are processes of their own. */
export type CacheProcessName = Exclude<CacheTargetName, 'no-capture'>;

/** Which processes the chosen legs need. */
export function targetsOfLegs(legs: CacheRunOptions['legs']): CacheProcessName[] {
  const names: CacheProcessName[] = [];
  if (legs.includes('memory') || legs.includes('redis')) names.push('minimal');
  if (legs.includes('memory')) names.push('cache-memory');
  if (legs.includes('redis')) names.push('cache-redis');
  if (legs.includes('capture')) names.push('capture-on', 'capture-off');
  return names;
}

/**
 * Starts the fake upstream, the minimal proxy when a hit leg runs, and the llm-proxy processes of the chosen
 * legs, each with its own throw-away SQLite database, project and token. llm-proxy is compiled once; with
 * `--cpu-prof` every proxy writes its profile into `<workDir>/profiles/<name>` when it stops.
 */
export async function startCacheTargets(
  options: CacheRunOptions,
  workDir: string,
  repoRoot: string,
  redis: BenchRedis | undefined,
  progress: (message: string) => void,
): Promise<CacheTargets> {
  const profileArgs = (name: string): string[] =>
    options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(workDir, 'profiles', name)}`] : [];
  progress('compiling the fake upstream and the minimal proxy');
  const helpersDir = compileBenchmarkHelpers(repoRoot, join(workDir, 'helpers'));
  progress('starting the fake upstream');
  const upstream = await startFakeUpstream({ helpersDir, sseDelayMs: 0 });
  const direct: Target<CacheTargetName> = {
    name: 'direct',
    origin: upstream.origin,
    authorization: `Bearer ${UPSTREAM_API_KEY}`,
    pid: upstream.child.pid,
  };
  const names = targetsOfLegs(options.legs);
  const byName: Partial<Record<CacheTargetName, Target<CacheTargetName>>> = { direct };
  const settings: Partial<Record<LlmProxyCacheTarget, Readonly<Record<string, string>>>> = {};
  let command: ServerCommand | undefined;
  for (const name of names) {
    if (name === 'direct') continue;
    if (name === 'minimal') {
      progress('starting the minimal proxy');
      const minimal = await startMinimalProxy(helpersDir, upstream.origin, profileArgs('minimal'));
      byName.minimal = {
        name,
        origin: minimal.origin,
        authorization: 'Bearer bench-client',
        pid: minimal.child.pid,
      };
      continue;
    }
    command ??= await prepareServerCommand(repoRoot, options.server, [], workDir);
    const env = cacheSettings(name, options, redis);
    settings[name] =
      env.REDIS_CACHE_URL === undefined ? env : { ...env, REDIS_CACHE_URL: safeUrl(env.REDIS_CACHE_URL) };
    progress(`starting llm-proxy ${name}`);
    const instanceDir = join(workDir, name);
    mkdirSync(instanceDir);
    const instance = await startLlmProxy({
      name: `llm-proxy ${name}`,
      workDir: instanceDir,
      upstreamOrigin: upstream.origin,
      // Node's own flags come before the script, whichever way llm-proxy runs.
      command: { ...command, args: [...profileArgs(name), ...command.args] },
      startTimeoutMs: LLM_PROXY_START_TIMEOUT_MS,
      env,
    });
    byName[name] = {
      name,
      origin: instance.origin,
      authorization: `Bearer ${instance.token}`,
      pid: instance.child.pid,
    };
  }
  const captureOn = byName['capture-on'];
  if (captureOn !== undefined) {
    byName['no-capture'] = {
      ...captureOn,
      name: 'no-capture',
      headers: { [FAKE_CACHE_CONTROL]: 'no-store' },
    };
  }
  return {
    direct,
    byName,
    runner:
      command === undefined
        ? { runner: 'dist', reason: 'not run' }
        : { runner: command.kind, reason: command.reason },
    settings,
  };
}

/** The cache settings of one llm-proxy process. */
function cacheSettings(
  name: LlmProxyCacheTarget,
  options: CacheRunOptions,
  redis: BenchRedis | undefined,
): Record<string, string> {
  switch (name) {
    case 'cache-memory':
      return { HTTP_CACHE_ENABLED: 'true', HTTP_CACHE_BACKEND: 'memory' };
    case 'cache-redis':
      if (redis === undefined) throw new Error('the redis leg needs a Redis');
      return {
        HTTP_CACHE_ENABLED: 'true',
        HTTP_CACHE_BACKEND: 'redis',
        REDIS_CACHE_URL: options.redisUrl,
        REDIS_CACHE_KEY_PREFIX: redis.keyPrefix,
      };
    case 'capture-on':
      return {
        HTTP_CACHE_ENABLED: 'true',
        HTTP_CACHE_BACKEND: 'memory',
        HTTP_CACHE_MAX_BYTES: options.captureMaxBytes,
      };
    case 'capture-off':
      return { HTTP_CACHE_ENABLED: 'false' };
  }
}
