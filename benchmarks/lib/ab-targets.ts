import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { buildRef } from './build-ref.js';
import type { BuiltRef } from './build-ref.js';
import { compileBenchmarkHelpers } from './compile-helpers.js';
import { startFakeUpstream } from './helper-servers.js';
import { startLlmProxy } from './llm-proxy-server.js';
import { UPSTREAM_API_KEY } from './scenarios.js';
import type { Target } from './scenarios.js';

const START_TIMEOUT_MS = 60_000;

/** The three llm-proxy processes of an A/B run: A, a second process of the same build, and B. */
export type BuildName = 'A' | "A'" | 'B';

/** The servers of an A/B run, ready to be measured. */
export interface AbTargets {
  /** The fake upstream itself: the reference every build's answers are compared with. */
  readonly direct: Target;
  readonly a: Target<BuildName>;
  /** A second process of build A: what A/B is compared with. */
  readonly aPrime: Target<BuildName>;
  readonly b: Target<BuildName>;
  readonly builds: { readonly A: BuiltRef; readonly B: BuiltRef };
}

/**
 * Compiles both refs, then starts the fake upstream and three llm-proxy processes in front of it — A, A' (same
 * build) and B — each with its own throw-away SQLite database, project and token.
 */
export async function startAbTargets(
  refs: { readonly a: string; readonly b: string },
  workDir: string,
  repoRoot: string,
  progress: (message: string) => void,
): Promise<AbTargets> {
  progress(`compiling A = ${refs.a}`);
  const builtA = await buildRef(repoRoot, refs.a, join(workDir, 'build-a'));
  progress(`compiling B = ${refs.b}`);
  const builtB = await buildRef(repoRoot, refs.b, join(workDir, 'build-b'));
  progress('compiling and starting the fake upstream');
  const helpersDir = compileBenchmarkHelpers(repoRoot, join(workDir, 'helpers'));
  const upstream = await startFakeUpstream({ helpersDir, sseDelayMs: 0 });
  const start = async (name: BuildName, dirName: string, built: BuiltRef): Promise<Target<BuildName>> => {
    progress(`starting ${name} (${built.ref})`);
    const instanceDir = join(workDir, dirName);
    mkdirSync(instanceDir);
    const instance = await startLlmProxy({
      name: `llm-proxy ${name}`,
      workDir: instanceDir,
      upstreamOrigin: upstream.origin,
      command: { kind: 'build', args: [built.mainJs, 'server'], reason: `${built.ref} compiled` },
      startTimeoutMs: START_TIMEOUT_MS,
    });
    return {
      name,
      origin: instance.origin,
      authorization: `Bearer ${instance.token}`,
      pid: instance.child.pid,
    };
  };
  return {
    direct: {
      name: 'direct',
      origin: upstream.origin,
      authorization: `Bearer ${UPSTREAM_API_KEY}`,
      pid: upstream.child.pid,
    },
    a: await start('A', 'instance-a', builtA),
    aPrime: await start("A'", 'instance-a2', builtA),
    b: await start('B', 'instance-b', builtB),
    builds: { A: builtA, B: builtB },
  };
}
