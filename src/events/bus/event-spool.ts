import { createReadStream } from 'node:fs';
import { appendFile, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The most read from the spool file at once while draining. */
const READ_CHUNK_BYTES = 1024 * 1024;

/** Options of {@link EventSpool}. */
export interface EventSpoolOptions {
  /** The spool file (JSONL). One process per file: two processes sharing one would each drain it. */
  readonly path: string;
  /** Bytes the spool holds at most; lines that do not fit are dropped and counted. @default 67108864 (64 MiB) */
  readonly maxBytes?: number;
}

/** Lines read from the spool, oldest first; give it back to {@link EventSpool.commit} once they are safe. */
export interface SpoolBatch {
  readonly lines: readonly string[];
  /** Where the next batch starts in the segment being drained. */
  readonly end: number;
}

/**
 * A local file of event lines that waits for Redis to come back, oldest first.
 *
 * Lines are appended to `path`. Draining renames it to `path.draining` first, so that lines appended while it
 * drains go to a fresh file behind it and order is kept: the draining segment is always older than the
 * active one. The draining segment is removed only after its last batch was committed (written to Redis), so
 * a crash mid-drain sends part of it again on the next start — duplicates, never a loss. Progress inside the
 * segment is kept in memory only, for the same reason.
 *
 * Every operation runs in turn on one queue: an append never interleaves with the rename of the segment it
 * writes to.
 */
export class EventSpool {
  readonly path: string;
  private readonly drainingPath: string;
  private readonly maxBytes: number;
  private queue: Promise<unknown> = Promise.resolve();
  private opened: Promise<void> | undefined;
  private activeBytes = 0;
  private activeLines = 0;
  private drainingSize = 0;
  private drainingLines = 0;
  private drainingOffset = 0;
  private directoryMade = false;

  constructor(options: EventSpoolOptions) {
    this.path = options.path;
    this.drainingPath = `${options.path}.draining`;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  }

  /** Lines waiting in the spool. */
  get size(): number {
    return this.activeLines + this.drainingLines;
  }

  /** Bytes waiting in the spool. */
  get bytes(): number {
    return this.activeBytes + this.drainingSize - this.drainingOffset;
  }

  /** Takes over what an earlier process left in the spool (counted, drained before anything newer). */
  open(): Promise<void> {
    this.opened ??= this.run(async () => {
      const draining = await inspect(this.drainingPath);
      this.drainingSize = draining.bytes;
      this.drainingLines = draining.lines;
      const active = await inspect(this.path);
      this.activeBytes = active.bytes;
      this.activeLines = active.lines;
      if (active.bytes > 0 && !active.endsWithNewline) {
        // A line torn by a crash must not glue itself to the next append: it stays a line of its own, which
        // the reader rejects.
        await appendFile(this.path, '\n');
        this.activeBytes += 1;
        this.activeLines += 1;
      }
      if (draining.bytes > 0 && !draining.endsWithNewline) this.drainingLines += 1;
    });
    // A failed take-over (a directory not readable yet) is tried again by the next caller.
    this.opened.catch(() => {
      this.opened = undefined;
    });
    return this.opened;
  }

  /** Appends lines (without newlines) in order; returns how many were dropped because the spool is full. */
  append(lines: readonly string[]): Promise<number> {
    return this.run(async () => {
      let room = this.maxBytes - this.bytes;
      let text = '';
      let kept = 0;
      for (const line of lines) {
        const bytes = Buffer.byteLength(line) + 1;
        // Only whole lines, in order: once one does not fit, the later ones are dropped too.
        if (bytes > room) break;
        room -= bytes;
        text += `${line}\n`;
        kept += 1;
      }
      if (kept === 0) return lines.length;
      try {
        if (!this.directoryMade) {
          await mkdir(dirname(this.path), { recursive: true });
          this.directoryMade = true;
        }
        await appendFile(this.path, text);
      } catch {
        // A disk that is full or read-only: what could not be written is lost, and counted as such.
        return lines.length;
      }
      this.activeBytes += Buffer.byteLength(text);
      this.activeLines += kept;
      return lines.length - kept;
    });
  }

  /** Up to `max` of the oldest lines, or undefined when the spool is empty. */
  read(max: number): Promise<SpoolBatch | undefined> {
    return this.run(async () => {
      if (this.drainingOffset >= this.drainingSize) {
        if (this.activeBytes === 0) return undefined;
        const renamed = await rename(this.path, this.drainingPath).then(
          () => true,
          (error: unknown) => {
            ignoreMissing(error);
            return false;
          },
        );
        if (!renamed) {
          // Someone removed the file: what it held is gone, and counting it any longer would stall the drain.
          this.activeBytes = 0;
          this.activeLines = 0;
          return undefined;
        }
        this.drainingSize = this.activeBytes;
        this.drainingLines = this.activeLines;
        this.drainingOffset = 0;
        this.activeBytes = 0;
        this.activeLines = 0;
      }
      return this.readSegment(max);
    });
  }

  /** The batch's lines are safe elsewhere: they leave the spool (the file once it is drained to its end). */
  commit(batch: SpoolBatch): Promise<void> {
    return this.run(async () => {
      this.drainingOffset = batch.end;
      this.drainingLines = Math.max(0, this.drainingLines - batch.lines.length);
      if (this.drainingOffset < this.drainingSize) return;
      await unlink(this.drainingPath).catch(ignoreMissing);
      this.drainingSize = 0;
      this.drainingOffset = 0;
      this.drainingLines = 0;
    });
  }

  private async readSegment(max: number): Promise<SpoolBatch> {
    const file = await open(this.drainingPath, 'r');
    try {
      let length = Math.min(READ_CHUNK_BYTES, this.drainingSize - this.drainingOffset);
      for (;;) {
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await file.read(buffer, 0, length, this.drainingOffset);
        const text = buffer.subarray(0, bytesRead).toString('utf8');
        const atEnd = this.drainingOffset + bytesRead >= this.drainingSize;
        const lines: string[] = [];
        let consumed = 0;
        while (lines.length < max) {
          const newline = text.indexOf('\n', consumed);
          if (newline < 0) {
            // A torn last line of a crashed process: handed out as it is, so that it leaves the spool.
            if (atEnd && consumed < text.length) {
              lines.push(text.slice(consumed));
              consumed = text.length;
            }
            break;
          }
          lines.push(text.slice(consumed, newline));
          consumed = newline + 1;
        }
        if (lines.length > 0 || atEnd) {
          return { lines, end: this.drainingOffset + Buffer.byteLength(text.slice(0, consumed)) };
        }
        // One line longer than the chunk: read more at once.
        length = Math.min(length * 2, this.drainingSize - this.drainingOffset);
      }
    } finally {
      await file.close();
    }
  }

  private run<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

/** Size, line count and last byte of a spool file (zero when it does not exist). */
async function inspect(path: string): Promise<{ bytes: number; lines: number; endsWithNewline: boolean }> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined || info.size === 0) return { bytes: 0, lines: 0, endsWithNewline: true };
  let lines = 0;
  let last = 0;
  for await (const chunk of createReadStream(path)) {
    const bytes = chunk as Buffer;
    for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a, at + 1)) lines += 1;
    last = bytes[bytes.length - 1] ?? last;
  }
  return { bytes: info.size, lines, endsWithNewline: last === 0x0a };
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
