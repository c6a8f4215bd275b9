import { mkdir, open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

import type { ProxyEvent } from '../proxy-event.js';
import { SinkError } from './event-sink.js';
import type { EventSink, SinkRejection, SinkResult } from './event-sink.js';
import { fileEventRecord } from './file-event-format.js';

const FILE_MODE = 0o640;
const DIRECTORY_MODE = 0o750;
const NEWLINE = 0x0a;

/** Options of {@link FileEventSink}. */
export interface FileEventSinkOptions {
  /** The JSONL file events are appended to; its parent directory is created when missing. */
  readonly path: string;
}

/**
 * The `file` backend: appends one JSON line per event (the original's `--file-event-log` format, see
 * file-event-format.ts) with one write and one fsync per batch, so a batch is on disk when `send` resolves.
 * OPTIONS requests (CORS preflights) are skipped, as the original did.
 */
export class FileEventSink implements EventSink {
  readonly name = 'file';
  #handle: FileHandle | undefined;
  // Sends and close run one after another, so lines of two batches never interleave.
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(private readonly options: FileEventSinkOptions) {}

  /** Appends the batch and resolves once it is flushed to disk; throws a temporary SinkError when writing fails. */
  send(events: readonly ProxyEvent[]): Promise<SinkResult> {
    return this.#serialise(() => this.#write(events));
  }

  /** Waits for the sends in progress, then closes the file; later sends fail. */
  close(): Promise<void> {
    return this.#serialise(async () => {
      this.#closed = true;
      const handle = this.#handle;
      this.#handle = undefined;
      await handle?.close();
    });
  }

  #serialise<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #write(events: readonly ProxyEvent[]): Promise<SinkResult> {
    if (this.#closed) throw new SinkError('the file event sink is closed', false);
    const lines: string[] = [];
    const rejected: SinkRejection[] = [];
    for (const [index, event] of events.entries()) {
      if (event.method.toUpperCase() === 'OPTIONS') continue;
      try {
        lines.push(`${JSON.stringify(fileEventRecord(event))}\n`);
      } catch (error) {
        // An event that cannot be written will not become writable on a retry.
        rejected.push({ index, reason: `event not serialisable: ${messageOf(error)}`, permanent: true });
      }
    }
    if (lines.length === 0) return { rejected };
    try {
      const handle = await this.#open();
      await handle.appendFile(lines.join(''));
      await handle.sync();
    } catch (error) {
      // A failed write may have left part of a line: the next open starts a fresh one (see #open).
      await this.#discardHandle();
      throw new SinkError(
        `writing events to ${this.options.path} failed: ${messageOf(error)}`,
        false,
        undefined,
        {
          cause: error,
        },
      );
    }
    return { rejected };
  }

  async #open(): Promise<FileHandle> {
    if (this.#handle !== undefined) return this.#handle;
    await mkdir(dirname(this.options.path), { recursive: true, mode: DIRECTORY_MODE });
    const handle = await open(this.options.path, 'a+', FILE_MODE);
    try {
      await endLastLine(handle);
    } catch (error) {
      await handle.close();
      throw error;
    }
    this.#handle = handle;
    return handle;
  }

  async #discardHandle(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close().catch(() => undefined);
  }
}

// A line cut by a crash or a failed write is closed, so that the next event starts a line of its own.
async function endLastLine(handle: FileHandle): Promise<void> {
  const { size } = await handle.stat();
  if (size === 0) return;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  if (last[0] !== NEWLINE) await handle.appendFile('\n');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
