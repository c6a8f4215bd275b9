import { ConfigError } from '../../config/index.js';

/** Exit code of a failed command. */
export const EXIT_FAILURE = 1;
/** Exit code of a command line that cannot be run as given (unknown option, invalid flag value). */
export const EXIT_USAGE = 2;

let debugOutput = false;

/** A failure the CLI reports as one line on standard error, with the exit code to end with. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? EXIT_FAILURE;
  }
}

/** A {@link CliError} for a command line that cannot be run as given. */
export function usageError(message: string): CliError {
  return new CliError(message, { exitCode: EXIT_USAGE });
}

/** Turns on stack traces in error reports (`--debug`, `LOG_LEVEL=debug`). */
export function enableDebugOutput(): void {
  debugOutput = true;
}

/** Writes an error to standard error and returns the exit code it stands for. */
export function reportError(error: unknown): number {
  const debug = debugOutput || process.env.LOG_LEVEL?.trim().toLowerCase() === 'debug';
  if (error instanceof CliError || error instanceof ConfigError) {
    console.error(`error: ${error.message}`);
    if (debug && error.cause !== undefined) console.error(error.cause);
    return error instanceof CliError ? error.exitCode : EXIT_FAILURE;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (debug) {
    console.error(`error: ${firstLine(message)}`);
    console.error(error);
  } else {
    console.error(`error: ${firstLine(message)} (run with LOG_LEVEL=debug for details)`);
  }
  return EXIT_FAILURE;
}

/** The errno-style code of a system error (`EACCES`), or else its message. */
export function errorCodeOf(error: unknown): string {
  if (error instanceof Error) return (error as NodeJS.ErrnoException).code ?? error.message;
  return String(error);
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}
