import type { EventPublisher, ProxyEvent, PublisherStats } from '../../src/events/index.js';

/** An event publisher that keeps what it is given, for tests that look at the events a gateway publishes. */
export class RecordingPublisher implements EventPublisher {
  readonly events: ProxyEvent[] = [];

  publish(event: ProxyEvent): void {
    // Through JSON, as every bus carries it: a field that does not survive that is caught here.
    this.events.push(JSON.parse(JSON.stringify(event)) as ProxyEvent);
  }

  stats(): PublisherStats {
    return { published: this.events.length, dropped: 0, spooled: 0 };
  }

  async close(): Promise<void> {
    await Promise.resolve();
  }

  /** The event of a request id. */
  find(id: string | null): ProxyEvent | undefined {
    return this.events.find((event) => event.id === id);
  }
}
