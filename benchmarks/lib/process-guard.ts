import { killAllChildrenNow, stopAllChildren } from './child-process.js';

/** Stops the children on SIGINT/SIGTERM, on any exit, and when the run exceeds its time budget. */
export function guardProcess(budgetSeconds: number): void {
  process.on('exit', killAllChildrenNow);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the servers`);
      void stopAllChildren().finally(() => process.exit(130));
    });
  }
  setTimeout(() => {
    console.error(`\nbenchmark exceeded its time budget of ${Math.round(budgetSeconds)} s: stopping`);
    void stopAllChildren().finally(() => process.exit(2));
  }, budgetSeconds * 1000).unref();
}
