import { join } from 'node:path';

import { spawnManaged, waitForJsonLine } from './child-process.js';
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
  /** The compiled benchmark folder (see `compileBenchmarkHelpers`). */
  readonly helpersDir: string;
  readonly sseDelayMs: number;
}

/** Starts `benchmarks/fake-upstream.ts`, compiled, in its own process. */
export function startFakeUpstream(options: FakeUpstreamOptions): Promise<RunningServer> {
  return startScript(options.helpersDir, 'fake-upstream', ['--sse-delay-ms', String(options.sseDelayMs)]);
}

/** Starts `benchmarks/minimal-proxy.ts`, compiled, in front of an upstream, in its own process. */
export function startMinimalProxy(
  helpersDir: string,
  upstreamOrigin: string,
  nodeArgs: readonly string[] = [],
): Promise<RunningServer> {
  return startScript(helpersDir, 'minimal-proxy', ['--upstream', upstreamOrigin], nodeArgs);
}

async function startScript(
  helpersDir: string,
  name: string,
  args: readonly string[],
  nodeArgs: readonly string[] = [],
): Promise<RunningServer> {
  const child = spawnManaged({
    name,
    command: process.execPath,
    args: [...nodeArgs, join(helpersDir, `${name}.js`), ...args],
    cwd: helpersDir,
  });
  const ready = await waitForJsonLine(child, READY_TIMEOUT_MS);
  if (typeof ready.url !== 'string')
    throw new Error(`${name}: unexpected ready line ${JSON.stringify(ready)}`);
  return { child, origin: ready.url };
}
