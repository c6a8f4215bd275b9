export { isCapturedBody } from './proxy-event.js';
export type { EventBody, OmittedBody, ProxyEvent } from './proxy-event.js';
export type { DeadLetter, Delivery, EventPublisher, EventSource, PublisherStats } from './bus/event-bus.js';
export { SinkError } from './sinks/event-sink.js';
export type { EventSink, SinkRejection, SinkResult } from './sinks/event-sink.js';
export type { DecodedBody, DecodedExchange } from './transform/decoded-exchange.js';
