import { SseDecoder } from '../core/index.js';
import { SseEventBounds, endsWithBlankLine } from './sse-event-bounds.js';
import { StreamUsageEvents } from './stream-usage-events.js';
import type { StreamEventKind } from './stream-usage-events.js';
import type { TokenUsage } from './token-usage.js';
import { withoutNullUsage } from './null-usage.js';
import { mayCarryUsage } from './usage-from-json.js';

/** Largest event read; a bigger one (a huge `response.completed`) passes unread. */
const DEFAULT_MAX_EVENT_BYTES = 4 * 1024 * 1024;
/** Stream bytes kept for an estimate while no usage has arrived. */
const DEFAULT_KEEP_BYTES = 128 * 1024;
const NO_BYTES: readonly Buffer[] = [];
const EMPTY = Buffer.alloc(0);

/** Options of {@link StreamUsageReader}. */
export interface StreamUsageReaderOptions {
  /**
   * Receives the stream minus what asking for usage added to it (the proxy asked, the client did not): OpenAI's
   * usage-only chunk and the `"usage":null` member of every other chunk. Complete events come as soon as they
   * are complete, a partial one once it is known not to be that chunk. Left out, the reader only reads: the
   * caller passes every chunk on itself, unchanged.
   */
  readonly withoutUsageChunk?: (bytes: Buffer) => void;
  /** Largest event read (and, when dropping, held back). @default 4 MiB */
  readonly maxEventBytes?: number;
  /** Stream bytes kept for an estimate until usage arrives. @default 128 KiB */
  readonly keepBytes?: number;
}

/** What a reader kept of a stream that carried no usage, for an estimate. */
export interface KeptStream {
  /** The first bytes of the stream, in the chunks they came in. */
  readonly chunks: readonly Buffer[];
  readonly keptBytes: number;
  /** Bytes of the whole stream (more than `keptBytes` when the rest was not kept). */
  readonly totalBytes: number;
}

/**
 * Reads the usage of a server-sent event stream as it passes, chunk by chunk, and — when told to — leaves out
 * the usage-only chunk. Per chunk it costs native byte searches: the event ends, and `"usage"` followed by an
 * object; only an event that holds one is decoded (core/sse-decoder.ts) and parsed, so content chunks — with
 * `"usage":null` or without usage — never are.
 */
export class StreamUsageReader {
  private readonly bounds = new SseEventBounds();
  private readonly events = new StreamUsageEvents();
  private readonly ends: number[] = [];
  private readonly send: ((bytes: Buffer) => void) | undefined;
  private readonly maxEventBytes: number;
  private readonly keepBytes: number;
  /** The bytes of the current event so far (from earlier chunks). */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The current event outgrew `maxEventBytes`: it passes unread. */
  private oversized = false;
  private kept: Buffer[] = [];
  private keptBytes = 0;
  private totalBytes = 0;

  constructor(options: StreamUsageReaderOptions = {}) {
    this.send = options.withoutUsageChunk;
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    this.keepBytes = options.keepBytes ?? DEFAULT_KEEP_BYTES;
  }

  /** Reads the next chunk of the stream. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.keep(chunk);
    // The common case: one or more whole events, none with usage — passed on as they are, unsearched.
    if (this.pendingBytes === 0 && !this.oversized && endsWithBlankLine(chunk) && !mayCarryUsage(chunk)) {
      this.bounds.reset();
      this.emit(chunk);
      return;
    }
    const { ends } = this;
    ends.length = 0;
    this.bounds.push(chunk, ends);
    const last = ends.length === 0 ? 0 : (ends[ends.length - 1] as number);
    if (last === 0) {
      // No event ends here (or only one that ended with the previous chunk's last byte).
      if (ends.length > 0) this.eventEnded(chunk, 0);
      this.hold(chunk);
      return;
    }
    if (this.pendingBytes === 0 && !this.oversized && !mayCarryUsage(chunk, 0, last)) {
      this.emit(last === chunk.length ? chunk : chunk.subarray(0, last));
    } else {
      let start = 0;
      for (const end of ends) {
        this.eventEnded(chunk, end, start);
        start = end;
      }
    }
    if (last < chunk.length) this.hold(chunk.subarray(last));
  }

  /** The stream ended or broke off: an unterminated last event is read (and passed on) as well. */
  end(): void {
    this.bounds.reset();
    if (this.pendingBytes > 0 || this.oversized) this.eventEnded(EMPTY, 0);
    this.oversized = false;
  }

  /** The usage the stream reported so far; undefined when it reported none. */
  usage(): TokenUsage | undefined {
    return this.events.usage();
  }

  /** What was kept of a stream that reported no usage (nothing once usage arrived). */
  keptStream(): KeptStream {
    const chunks = this.events.usage() === undefined ? this.kept : NO_BYTES;
    return {
      chunks,
      keptBytes: chunks.length === 0 ? 0 : this.keptBytes,
      totalBytes: this.totalBytes,
    };
  }

  /** An event ended at `end` of `chunk`; it began at `start`, or in an earlier chunk when `start` is 0. */
  private eventEnded(chunk: Buffer, end: number, start = 0): void {
    const tail = chunk.subarray(start, end);
    if (this.oversized) {
      this.oversized = false;
      this.emit(tail);
      return;
    }
    let event = tail;
    if (start === 0 && this.pendingBytes > 0) {
      this.pending.push(tail);
      event = Buffer.concat(this.pending, this.pendingBytes + tail.length);
      this.pending = [];
      this.pendingBytes = 0;
    }
    if (event.length === 0) return;
    if (mayCarryUsage(event) && this.read(event) === 'usage-chunk' && this.send !== undefined) return;
    this.emit(event);
  }

  /** Keeps the start of an event until its end is known; one too large to keep is passed on unread. */
  private hold(bytes: Buffer): void {
    if (this.oversized) {
      this.emit(bytes);
      return;
    }
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes <= this.maxEventBytes) return;
    for (const part of this.pending) this.emit(part);
    this.pending = [];
    this.pendingBytes = 0;
    this.oversized = true;
  }

  private read(event: Buffer): StreamEventKind {
    const decoder = new SseDecoder();
    let kind: StreamEventKind = 'none';
    for (const data of [...decoder.push(event), ...decoder.end()]) {
      if (!data.startsWith('{')) continue;
      try {
        const read = this.events.read(JSON.parse(data));
        if (read !== 'none') kind = read;
      } catch {
        // Not JSON: an event of another kind, with nothing to count.
      }
    }
    return kind;
  }

  private emit(bytes: Buffer): void {
    if (this.send === undefined || bytes.length === 0) return;
    const kept = withoutNullUsage(bytes);
    if (kept.length > 0) this.send(kept);
  }

  private keep(chunk: Buffer): void {
    this.totalBytes += chunk.length;
    if (this.events.usage() !== undefined) {
      if (this.kept.length > 0) this.kept = [];
      return;
    }
    if (this.keptBytes + chunk.length > this.keepBytes) return;
    this.kept.push(chunk);
    this.keptBytes += chunk.length;
  }
}
