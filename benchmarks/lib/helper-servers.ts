import { join } from 'node:path';

import { spawnManaged, tsxArgs, waitForJsonLine } from './child-process.js';
import type { ManagedChild } from './child-process.js';

const READY_TIMEOUT_MS = 30_000;

/** A benchmark server running in its own process. */
export interface RunningServer {
  readonly child: ManagedChild;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
}

/** Options for {@link startFakeUpstream}. */
export interface FakeUpstreamOptions {
  readonly repoRoot: string;
  readonly sseDelayMs: number;
}

/** Starts `benchmarks/fake-upstream.ts` in its own process. */
export function startFakeUpstream(options: FakeUpstreamOptions): Promise<RunningServer> {
  return startScript(options.repoRoot, 'fake-upstream', ['--sse-delay-ms', String(options.sseDelayMs)]);
}

/** Starts `benchmarks/minimal-proxy.ts` in front of an upstream, in its own process. */
export function startMinimalProxy(
  repoRoot: string,
  upstreamOrigin: string,
  nodeArgs: readonly string[] = [],
): Promise<RunningServer> {
  return startScript(repoRoot, 'minimal-proxy', ['--upstream', upstreamOrigin], nodeArgs);
}

async function startScript(
  repoRoot: string,
  name: string,
  args: readonly string[],
  nodeArgs: readonly string[] = [],
): Promise<RunningServer> {
  const script = join(repoRoot, 'benchmarks', `${name}.ts`);
  const child = spawnManaged({
    name,
    command: process.execPath,
    args: [...tsxArgs(script, nodeArgs), ...args],
    cwd: repoRoot,
  });
  const ready = await waitForJsonLine(child, READY_TIMEOUT_MS);
  if (typeof ready.url !== 'string')
    throw new Error(`${name}: unexpected ready line ${JSON.stringify(ready)}`);
  return { child, origin: ready.url };
}
