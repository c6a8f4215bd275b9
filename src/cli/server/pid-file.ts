import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import { CliError, errorCodeOf } from '../shared/cli-error.js';

/** A PID file this process wrote, and how to remove it again. */
export interface PidFile {
  /** Removes the file if it still names this process; safe to call more than once. */
  release(): void;
}

/**
 * Writes this process's id to `path` (`--pid-file`), refusing when the file names another process that is still
 * running (a second server with the same file). A file left by a process that is gone is replaced. The file is
 * removed at exit, however the process ends short of SIGKILL.
 */
export function claimPidFile(path: string): PidFile {
  const running = runningPid(path);
  if (running !== undefined) {
    throw new CliError(
      `PID file ${path} names process ${running}, which is still running; stop that server first (or remove the file if it is not one)`,
    );
  }
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${process.pid}\n`, { mode: 0o644 });
  } catch (error) {
    throw new CliError(`cannot write PID file ${path}: ${errorCodeOf(error)}`, { cause: error });
  }
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    if (runningPidIn(path) === process.pid) rmSync(path, { force: true });
  };
  process.on('exit', release);
  return { release };
}

/** The process a PID file names, when it is alive and not this one. */
function runningPid(path: string): number | undefined {
  const pid = runningPidIn(path);
  if (pid === undefined || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: it exists but belongs to someone else — still running.
    return errorCodeOf(error) === 'EPERM' ? pid : undefined;
  }
}

function runningPidIn(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}
