import pino from 'pino';
import type { Level } from 'pino';

import type { Logger } from '../../src/core/index.js';

/** Every line a logger wrote, kept in memory so a test can look for a message or a leaked secret. */
export class LogCapture {
  readonly raw: string[] = [];
  write(chunk: string): void {
    this.raw.push(chunk);
  }
  /** All lines as one text. */
  get text(): string {
    return this.raw.join('');
  }
  /** All lines, parsed. */
  get entries(): Record<string, unknown>[] {
    return this.raw.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

/** A JSON logger that writes into `capture`. */
export function captureLogger(capture: LogCapture, level: Level = 'debug'): Logger {
  return pino({ level }, capture);
}
