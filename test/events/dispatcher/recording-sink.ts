import type { EventSink, ProxyEvent, SinkResult } from '../../../src/events/index.js';

/** What the sink does with one send: resolve with a result, or throw; may wait first. */
export type SinkStep = (events: readonly ProxyEvent[]) => SinkResult | Promise<SinkResult>;

/** Accepts the whole batch. */
export const acceptAll: SinkStep = () => ({ rejected: [] });

/**
 * A backend stand-in (a backend is not ours to run in a test): records every batch it is sent and answers each
 * send with the next scripted step, then with `otherwise`.
 */
export class RecordingSink implements EventSink {
  readonly name = 'recording';
  /** The ids of every batch sent, retries included, in order. */
  readonly sends: string[][] = [];
  /** Ids of the events the sink accepted, in order. */
  readonly accepted: string[] = [];
  closed = false;
  private readonly steps: SinkStep[];

  constructor(
    steps: readonly SinkStep[] = [],
    private readonly otherwise: SinkStep = acceptAll,
  ) {
    this.steps = [...steps];
  }

  async send(events: readonly ProxyEvent[]): Promise<SinkResult> {
    this.sends.push(events.map(({ id }) => id));
    const step = this.steps.shift() ?? this.otherwise;
    const result = await step(events);
    const refused = new Set(result.rejected.map(({ index }) => index));
    events.forEach((event, index) => {
      if (!refused.has(index)) this.accepted.push(event.id);
    });
    return result;
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

/** A promise with its resolve function, for a send the test lets finish when it wants. */
export function gate(): { readonly opened: Promise<void>; readonly open: () => void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}
