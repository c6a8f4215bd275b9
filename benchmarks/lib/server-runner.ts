import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { tsxArgs } from './child-process.js';

const BUILD_TIMEOUT_MS = 180_000;

/**
 * How llm-proxy is run: the repository's `dist/`, a fresh build of `src/` made in the work directory, or the
 * TypeScript sources through tsx (whose loader thread adds about 35 MB of RSS and some start-up time).
 */
export type RunnerKind = 'dist' | 'build' | 'tsx';

/** Which runner to use; `auto` takes `dist/` when it is at least as new as every file in `src/`, else `build`. */
export type RunnerChoice = RunnerKind | 'auto';

/** Parses a `--server` value. */
export function runnerChoice(value: string): RunnerChoice {
  if (value === 'auto' || value === 'dist' || value === 'build' || value === 'tsx') return value;
  throw new Error(`--server: expected auto, dist, build or tsx, got ${value}`);
}

/** The node arguments that start `llm-proxy server`, and why this runner was chosen. */
export interface ServerCommand {
  readonly kind: RunnerKind;
  readonly args: string[];
  readonly reason: string;
}

/**
 * Prepares the node arguments (after the node binary) that run `llm-proxy server`. The `build` runner compiles
 * `src/` with tsc into `<workDir>/build` (never touching the repository's `dist/`), next to a copy of
 * package.json and links to node_modules and config/ so that modules and shipped files resolve as they do
 * from `dist/`.
 */
export async function prepareServerCommand(
  repoRoot: string,
  choice: RunnerChoice,
  nodeArgs: readonly string[],
  workDir: string,
): Promise<ServerCommand> {
  const distMain = join(repoRoot, 'dist', 'cli', 'main.js');
  const distBuiltAt = modifiedAt(distMain);
  const distFresh = distBuiltAt !== undefined && newestModification(join(repoRoot, 'src')) <= distBuiltAt;
  const kind: RunnerKind = choice === 'auto' ? (distFresh ? 'dist' : 'build') : choice;
  const reason =
    choice !== 'auto'
      ? `--server ${choice}`
      : distFresh
        ? 'dist/ is up to date with src/'
        : `${distBuiltAt === undefined ? 'no dist/' : 'dist/ is older than src/'}: compiled src/ into the work directory`;
  switch (kind) {
    case 'dist':
      if (distBuiltAt === undefined)
        throw new Error('--server dist: dist/cli/main.js does not exist (npm run build)');
      return { kind, args: [...nodeArgs, distMain, 'server'], reason };
    case 'build':
      return {
        kind,
        args: [...nodeArgs, await buildSnapshot(repoRoot, join(workDir, 'build')), 'server'],
        reason,
      };
    case 'tsx':
      return {
        kind,
        args: [...tsxArgs(join(repoRoot, 'src', 'cli', 'main.ts'), nodeArgs), 'server'],
        reason,
      };
  }
}

/**
 * Compiles `<sourceRoot>/src` with tsc into `<into>/dist`, next to a copy of its package.json and links to its
 * node_modules and (when it has one) config/, and returns the path of its `cli/main.js`.
 */
export async function buildSnapshot(sourceRoot: string, into: string): Promise<string> {
  mkdirSync(into, { recursive: true });
  copyFileSync(join(sourceRoot, 'package.json'), join(into, 'package.json'));
  symlinkSync(join(sourceRoot, 'node_modules'), join(into, 'node_modules'), 'dir');
  // Files the package ships beside dist/ (config/prices.yaml), found relative to the compiled modules.
  const shipped = join(sourceRoot, 'config');
  if (existsSync(shipped)) symlinkSync(shipped, join(into, 'config'), 'dir');
  const tsc = join(sourceRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = [
    tsc,
    '-p',
    join(sourceRoot, 'tsconfig.build.json'),
    '--outDir',
    join(into, 'dist'),
    '--sourceMap',
    'false',
  ];
  try {
    await promisify(execFile)(process.execPath, args, { cwd: sourceRoot, timeout: BUILD_TIMEOUT_MS });
  } catch (error) {
    // tsc still emits JavaScript when the sources have type errors (someone may be mid-edit); only a missing
    // entry point is fatal.
    if (!existsSync(join(into, 'dist', 'cli', 'main.js'))) throw error;
  }
  return join(into, 'dist', 'cli', 'main.js');
}

function newestModification(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestModification(path) : (modifiedAt(path) ?? 0));
  }
  return newest;
}

function modifiedAt(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}
