import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

/** How much of a child's recent output is kept to explain a failure. */
const OUTPUT_TAIL_BYTES = 16_384;
/** How long a child gets to exit after SIGTERM before it is killed. */
const STOP_GRACE_MS = 10_000;
/** The tsx loader, resolved here so that children can run from any working directory. */
const TSX_LOADER = import.meta.resolve('tsx');

/** A child process started by the benchmark and stopped with it, whatever happens. */
export interface ManagedChild {
  readonly name: string;
  readonly pid: number;
  readonly process: ChildProcess;
  /** The last few KB the child wrote to stdout and stderr. */
  output(): string;
  /** Whether the child has exited. */
  exited(): boolean;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the child is gone. */
  stop(): Promise<void>;
}

/** What to start. */
export interface SpawnOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** The child's whole environment. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

const running = new Set<ManagedChild>();

/** Starts a child process and registers it so that {@link stopAllChildren} and process exit stop it. */
export function spawnManaged(options: SpawnOptions): ManagedChild {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${options.name}: could not start ${options.command}`);
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_BYTES);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });

  const managed: ManagedChild = {
    name: options.name,
    pid: child.pid,
    process: child,
    output: () => tail,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    async stop() {
      running.delete(managed);
      if (managed.exited()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
  running.add(managed);
  child.once('exit', () => running.delete(managed));
  return managed;
}

/**
 * Waits for the first stdout line of a child that parses as a JSON object (its "ready" line); rejects with
 * the child's output when it exits first or the time runs out.
 */
export function waitForJsonLine(child: ManagedChild, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const stdout = child.process.stdout;
    if (stdout === null) {
      reject(new Error(`${child.name}: no stdout`));
      return;
    }
    let buffered = '';
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString('utf8');
      let newline = buffered.indexOf('\n');
      while (newline !== -1) {
        const parsed = parseObject(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        if (parsed !== undefined) {
          done();
          resolve(parsed);
          return;
        }
        newline = buffered.indexOf('\n');
      }
    };
    const onExit = (): void => {
      done();
      reject(new Error(`${child.name} exited before it was ready:\n${child.output()}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${child.name} was not ready within ${timeoutMs} ms:\n${child.output()}`));
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      stdout.off('data', onData);
      child.process.off('exit', onExit);
    };
    stdout.on('data', onData);
    child.process.once('exit', onExit);
  });
}

/** Stops every child still running (gracefully, in parallel). */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()));
}

/** Kills every child still running, synchronously: the last resort on process exit. */
export function killAllChildrenNow(): void {
  for (const child of running) child.process.kill('SIGKILL');
  running.clear();
}

/** The arguments that run a TypeScript file with node and the tsx loader, in one process. */
export function tsxArgs(script: string, nodeArgs: readonly string[] = []): string[] {
  return [...nodeArgs, '--import', TSX_LOADER, script];
}

function parseObject(line: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // Not the ready line: children may log other things first.
  }
  return undefined;
}
