import type { Logger } from '../core/index.js';

interface Resource {
  readonly name: string;
  readonly close: () => Promise<void> | void;
}

/**
 * What the composition root has built, in order, so that it is shut down in reverse: the server stops taking
 * requests before the pools, counters and buses it uses are closed, and the database closes last. A part
 * that fails to close is logged and the rest still close; the first failure is rethrown at the end.
 */
export class ResourceStack {
  private readonly resources: Resource[] = [];

  /** Registers how to close a part that has just been built. */
  add(name: string, close: () => Promise<void> | void): void {
    this.resources.push({ name, close });
  }

  /** Closes every part, the last built first. */
  async closeAll(logger: Logger): Promise<void> {
    let firstFailure: Error | undefined;
    for (const resource of this.resources.splice(0).reverse()) {
      try {
        await resource.close();
      } catch (error) {
        logger.error({ err: error, part: resource.name }, 'closing a part of the gateway failed');
        firstFailure ??= error instanceof Error ? error : new Error(String(error));
      }
    }
    if (firstFailure !== undefined) throw firstFailure;
  }
}
