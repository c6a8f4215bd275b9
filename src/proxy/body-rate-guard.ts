import { performance } from 'node:perf_hooks';

/** A request body being received, as the guard sees it. */
export interface WatchedBody {
  /** Bytes received so far. */
  received(): number;
  /**
   * Whether the proxy is waiting for the client's next bytes. While it is not (the upstream is slow to take a
   * streamed body, so reading is paused), the time does not count against the client.
   */
  waitingForClient(): boolean;
  /** Called once when the body fell below the minimum rate; the body is not watched any more. */
  tooSlow(): void;
}

/** Options of {@link BodyRateGuard}. */
export interface BodyRateGuardOptions {
  /** Bytes per second a body must arrive at (REQUEST_BODY_MIN_RATE); 0 watches nothing. */
  readonly minBytesPerSecond: number;
  /** Length of each period over which the rate is measured (REQUEST_BODY_RATE_GRACE). */
  readonly periodMs: number;
}

/** Stops watching a body (it ended, failed or was refused). */
export type Unwatch = () => void;

const NOT_WATCHED: Unwatch = () => undefined;
/** Upper bound on how often watched bodies are looked at. */
const MAX_CHECK_INTERVAL_MS = 1000;

/**
 * Cuts request bodies that arrive too slowly (a client trickling a body to hold the connection): each body must
 * bring `minBytesPerSecond × periodMs` bytes in every period, the first starting when the proxy begins to read
 * it. One timer looks at every watched body, so watching costs one set insertion; the timer stops once nothing
 * is watched.
 */
export class BodyRateGuard {
  private readonly watches = new Set<Watch>();
  private readonly minBytesPerPeriod: number;
  private readonly checkEveryMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: BodyRateGuardOptions) {
    this.minBytesPerPeriod = (options.minBytesPerSecond * options.periodMs) / 1000;
    this.checkEveryMs = Math.max(50, Math.min(MAX_CHECK_INTERVAL_MS, Math.floor(options.periodMs / 4)));
  }

  /** Starts watching a body; call the returned function once it is complete or no longer read. */
  watch(body: WatchedBody): Unwatch {
    if (this.options.minBytesPerSecond === 0) return NOT_WATCHED;
    const watch: Watch = { body, periodStart: performance.now(), periodBytes: body.received() };
    this.watches.add(watch);
    if (this.timer === undefined) {
      this.timer = setInterval(checkAll, this.checkEveryMs, this);
      // A watch never keeps the process alive on its own.
      this.timer.unref();
    }
    return () => {
      this.forget(watch);
    };
  }

  /** Looks at every watched body once. */
  check(now: number = performance.now()): void {
    // Stopped here rather than when the last body is forgotten: most bodies are watched for less than a
    // tick, and a timer per request would cost more than the watch itself.
    if (this.watches.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    for (const watch of this.watches) {
      const { body } = watch;
      const received = body.received();
      if (!body.waitingForClient()) {
        restart(watch, now, received);
        continue;
      }
      if (now - watch.periodStart < this.options.periodMs) continue;
      if (received - watch.periodBytes < this.minBytesPerPeriod) {
        this.forget(watch);
        body.tooSlow();
      } else {
        restart(watch, now, received);
      }
    }
  }

  private forget(watch: Watch): void {
    this.watches.delete(watch);
  }
}

interface Watch {
  readonly body: WatchedBody;
  periodStart: number;
  periodBytes: number;
}

function restart(watch: Watch, now: number, received: number): void {
  watch.periodStart = now;
  watch.periodBytes = received;
}

// A plain function with the guard as its argument: the interval allocates no closure.
function checkAll(guard: BodyRateGuard): void {
  guard.check();
}
