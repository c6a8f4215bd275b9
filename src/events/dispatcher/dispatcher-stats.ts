/** What a dispatcher has done since it started; counts are of events unless said otherwise. */
export interface DispatcherStats {
  /** The backend's name (`file`, `lunary` …). */
  readonly sink: string;
  /** Accepted by the backend (then acknowledged on the bus). */
  readonly delivered: number;
  /** Handed back to the bus after a failure: redelivered later, or dead-lettered (counted in both then). */
  readonly failed: number;
  /** Sent again after a temporary failure of their batch, once per retry. */
  readonly retried: number;
  /** Moved to the dead letters: a permanent error, or a failure on their last allowed attempt. */
  readonly deadLettered: number;
  /** Refused one by one by the backend (each also counted as failed). */
  readonly rejected: number;
  /** Batches handed to the backend (retries not counted again). */
  readonly batches: number;
  /** Read from the bus and not settled yet (queued or in flight). */
  readonly buffered: number;
  /** When the backend last accepted an event, epoch milliseconds; null before the first. */
  readonly lastDeliveryAt: number | null;
  /** Since when every send has failed, epoch milliseconds; null while the backend takes events. */
  readonly failingSince: number | null;
  /** When the dispatcher started, epoch milliseconds. */
  readonly startedAt: number;
}

/** {@link DispatcherStats} with the bus's lag, which costs a round trip to read. */
export interface DispatcherSnapshot extends DispatcherStats {
  /** Deliveries read and not acknowledged across the consumer group; null when the bus did not answer. */
  readonly lag: number | null;
}

/** The counters a dispatcher updates as it goes. */
export class DispatcherCounters {
  delivered = 0;
  failed = 0;
  retried = 0;
  deadLettered = 0;
  rejected = 0;
  batches = 0;
  buffered = 0;
  lastDeliveryAt: number | null = null;
  failingSince: number | null = null;

  constructor(
    readonly sink: string,
    readonly startedAt: number,
  ) {}

  /** A frozen copy, safe to hand out. */
  snapshot(): DispatcherStats {
    return Object.freeze({
      sink: this.sink,
      delivered: this.delivered,
      failed: this.failed,
      retried: this.retried,
      deadLettered: this.deadLettered,
      rejected: this.rejected,
      batches: this.batches,
      buffered: this.buffered,
      lastDeliveryAt: this.lastDeliveryAt,
      failingSince: this.failingSince,
      startedAt: this.startedAt,
    });
  }
}
