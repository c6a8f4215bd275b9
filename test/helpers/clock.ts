import type { Clock } from '../../src/core/index.js';

/** A clock the test moves by hand (token expiry, circuit cooldowns, audit timestamps); starts now unless told. */
export class ManualClock implements Clock {
  private current: Date;
  constructor(start: Date = new Date()) {
    this.current = new Date(start);
  }
  now(): Date {
    return new Date(this.current);
  }
  /** Jumps to a moment. */
  set(date: Date | string): void {
    this.current = new Date(date);
  }
  /** Moves forward by `ms`. */
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
