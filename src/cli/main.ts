#!/usr/bin/env node
import { CommanderError } from 'commander';

import { createProgram } from './program.js';
import { EXIT_USAGE, reportError } from './shared/cli-error.js';

/** Runs the command line and exits with its code once standard output has been written. */
async function main(): Promise<void> {
  let code = 0;
  try {
    await createProgram().parseAsync(process.argv);
  } catch (error) {
    // Commander has already printed its own message (usage errors, --help, --version).
    if (error instanceof CommanderError) code = error.exitCode === 0 ? 0 : EXIT_USAGE;
    else code = reportError(error);
  }
  process.stdout.write('', () => {
    process.exit(code);
  });
}

void main();
