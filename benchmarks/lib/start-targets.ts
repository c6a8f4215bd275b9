import { join } from 'node:path';

import { compileBenchmarkHelpers } from './compile-helpers.js';
import { startFakeUpstream, startMinimalProxy } from './helper-servers.js';
import { startLlmProxy } from './llm-proxy-server.js';
import type { LlmProxyInstance } from './llm-proxy-server.js';
import type { RunOptions } from './run-options.js';
import { UPSTREAM_API_KEY } from './scenarios.js';
import type { Target } from './scenarios.js';
import { prepareServerCommand } from './server-runner.js';

const LLM_PROXY_START_TIMEOUT_MS = 60_000;

/** The servers of a run, ready to be measured. */
export interface StartedTargets {
  /** The fake upstream itself: the reference every proxy's answers are compared with. */
  readonly direct: Target;
  /** What is measured, in the order of `--targets`. */
  readonly measured: readonly Target[];
  /** The llm-proxy instance, when it is measured. */
  readonly llmProxy: LlmProxyInstance | undefined;
}

/**
 * Starts the fake upstream and whichever proxies are measured, each in its own process. With `--cpu-prof` the
 * proxies write CPU profiles into `<workDir>/profiles/<name>` when they stop.
 */
export async function startTargets(
  options: RunOptions,
  workDir: string,
  repoRoot: string,
  progress: (message: string) => void,
): Promise<StartedTargets> {
  const profileArgs = (name: string): string[] =>
    options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(workDir, 'profiles', name)}`] : [];
  progress('compiling the fake upstream and the minimal proxy');
  const helpersDir = compileBenchmarkHelpers(repoRoot, join(workDir, 'helpers'));
  progress('starting the fake upstream');
  const upstream = await startFakeUpstream({ helpersDir, sseDelayMs: options.sseDelayMs });
  const direct: Target = {
    name: 'direct',
    origin: upstream.origin,
    authorization: `Bearer ${UPSTREAM_API_KEY}`,
    pid: upstream.child.pid,
  };
  const measured: Target[] = [];
  let llmProxy: LlmProxyInstance | undefined;
  for (const name of options.targets) {
    if (name === 'direct') {
      measured.push(direct);
    } else if (name === 'minimal') {
      progress('starting the minimal proxy');
      const minimal = await startMinimalProxy(helpersDir, upstream.origin, profileArgs('minimal'));
      // The minimal proxy swaps whatever credential it gets for the provider key.
      measured.push({
        name,
        origin: minimal.origin,
        authorization: 'Bearer bench-client',
        pid: minimal.child.pid,
      });
    } else {
      progress('starting llm-proxy');
      llmProxy = await startLlmProxy({
        workDir,
        upstreamOrigin: upstream.origin,
        command: await prepareServerCommand(repoRoot, options.server, profileArgs('llm-proxy'), workDir),
        startTimeoutMs: LLM_PROXY_START_TIMEOUT_MS,
      });
      progress(`llm-proxy runs from ${llmProxy.runner} (${llmProxy.runnerReason})`);
      measured.push({
        name,
        origin: llmProxy.origin,
        authorization: `Bearer ${llmProxy.token}`,
        pid: llmProxy.child.pid,
      });
    }
  }
  return { direct, measured, llmProxy };
}
