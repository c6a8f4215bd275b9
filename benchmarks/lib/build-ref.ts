import { execFile } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { buildSnapshot } from './server-runner.js';

/** The ref that stands for the current working tree's sources, committed or not. */
export const WORKTREE_REF = 'worktree';

/** A build of llm-proxy made from a git revision or the working tree. */
export interface BuiltRef {
  /** As given on the command line. */
  readonly ref: string;
  /** The commit it resolved to (for `worktree`: HEAD). */
  readonly commit: string;
  /** The commit's subject line. */
  readonly subject: string;
  /** `worktree` only: whether the sources differ from HEAD. */
  readonly uncommittedChanges: boolean;
  /** The compiled `cli/main.js`. */
  readonly mainJs: string;
}

/**
 * Compiles `ref` into `into`: a git revision is exported with `git archive` (the repository, its worktrees and
 * its refs are left alone) next to a link to the repository's node_modules; `worktree` compiles the
 * repository's `src/` as it is on disk.
 */
export async function buildRef(repoRoot: string, ref: string, into: string): Promise<BuiltRef> {
  const git = async (...args: string[]): Promise<string> =>
    (await promisify(execFile)('git', args, { cwd: repoRoot, maxBuffer: 2 ** 20 })).stdout.trim();
  if (ref === WORKTREE_REF) {
    const commit = await git('rev-parse', 'HEAD');
    const status = await git('status', '--porcelain', '--', 'src', 'package.json', 'tsconfig*.json');
    return {
      ref,
      commit,
      subject: await git('log', '-1', '--format=%s', commit),
      uncommittedChanges: status !== '',
      mainJs: await buildSnapshot(repoRoot, join(into, 'build')),
    };
  }
  // A ref starting with a dash would be read as an option.
  if (ref.startsWith('-')) throw new Error(`not a git revision: ${ref}`);
  const commit = await git('rev-parse', '--verify', '--quiet', `${ref}^{commit}`).catch(() => {
    throw new Error(`not a git revision: ${ref}`);
  });
  const source = join(into, 'source');
  mkdirSync(source, { recursive: true });
  await git('archive', '--format=tar', `--output=${join(into, 'source.tar')}`, commit);
  await promisify(execFile)('tar', ['-xf', join(into, 'source.tar'), '-C', source]);
  symlinkSync(join(repoRoot, 'node_modules'), join(source, 'node_modules'), 'dir');
  return {
    ref,
    commit,
    subject: await git('log', '-1', '--format=%s', commit),
    uncommittedChanges: false,
    mainJs: await buildSnapshot(source, join(into, 'build')),
  };
}
