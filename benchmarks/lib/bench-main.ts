import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { stopAllChildren } from './child-process.js';
import { guardProcess } from './process-guard.js';
import { messageOf } from './progress.js';
import { writeResults } from './report.js';

/** The options every benchmark entry point understands. */
export interface CommonBenchOptions {
  /** Where the JSON results are written. */
  readonly out: string;
  /** Report a miss but exit 0. */
  readonly noFail: boolean;
}

/** What an entry point (`run.ts`, `ab.ts`) plugs into {@link runBenchmarkMain}. */
export interface BenchmarkEntry<O extends CommonBenchOptions, R extends { readonly passed: boolean }> {
  /** Named in the message of an aborted run. */
  readonly name: string;
  readonly usage: string;
  /** Prefix of the run's temporary folder. */
  readonly workDirPrefix: string;
  parse(argv: readonly string[]): O | 'help';
  /** The longest the run may take before the process guard stops it. */
  timeBudgetSeconds(options: O): number;
  measure(options: O, workDir: string): Promise<R>;
  report(results: R): string;
  /** When set and it returns a note, the temporary folder is kept and the note printed at the end. */
  keepWorkDir?(options: O, workDir: string): string | undefined;
}

/**
 * The shared shape of a benchmark run: parse the options (exit 2 with the usage on a bad one), guard the
 * process with a time budget, measure in a temporary folder that is removed on every exit path, print the report,
 * write the JSON results, and exit 0 (passed or `--no-fail`), 1 (missed) or 2 (the run itself failed). Child
 * processes are always stopped.
 */
export async function runBenchmarkMain<O extends CommonBenchOptions, R extends { readonly passed: boolean }>(
  entry: BenchmarkEntry<O, R>,
  argv: readonly string[],
): Promise<number> {
  let options: O;
  try {
    const parsed = entry.parse(argv);
    if (parsed === 'help') {
      console.log(entry.usage);
      return 0;
    }
    options = parsed;
  } catch (error) {
    console.error(`${messageOf(error)}\n\n${entry.usage}`);
    return 2;
  }
  guardProcess(entry.timeBudgetSeconds(options));
  const workDir = mkdtempSync(join(tmpdir(), entry.workDirPrefix));
  const keptNote = entry.keepWorkDir?.(options, workDir);
  // Also on the exits that skip `finally` (signals, the time budget).
  if (keptNote === undefined) {
    process.on('exit', () => {
      rmSync(workDir, { recursive: true, force: true });
    });
  }
  try {
    const results = await entry.measure(options, workDir);
    console.log(`\n${entry.report(results)}`);
    const out = resolve(options.out);
    await writeResults(out, results);
    console.log(`\nResults written to ${out}`);
    return results.passed || options.noFail ? 0 : 1;
  } catch (error) {
    console.error(`\n${entry.name} aborted: ${messageOf(error)}`);
    return 2;
  } finally {
    await stopAllChildren();
    if (keptNote !== undefined) console.log(keptNote);
  }
}
