import type { Logger } from '../../core/index.js';
import type { EventSink } from './event-sink.js';
import { FileEventSink } from './file-event-sink.js';
import type { FileEventSinkOptions } from './file-event-sink.js';
import { HeliconeEventSink } from './helicone-event-sink.js';
import type { HeliconeEventSinkOptions } from './helicone-event-sink.js';
import { LunaryEventSink } from './lunary-event-sink.js';
import type { LunaryEventSinkOptions } from './lunary-event-sink.js';
import { OtelEventSink } from './otel-event-sink.js';
import type { OtelEventSinkOptions } from './otel-event-sink.js';

/** Which observability backend the dispatcher delivers to, with that backend's options. */
export type EventSinkConfig =
  | ({ readonly type: 'file' } & FileEventSinkOptions)
  | ({ readonly type: 'lunary' } & LunaryEventSinkOptions)
  | ({ readonly type: 'helicone' } & HeliconeEventSinkOptions)
  | ({ readonly type: 'otel' } & OtelEventSinkOptions);

/** What the factory may use besides the configuration. */
export interface EventSinkDependencies {
  /** Told which backend was set up (never its key). */
  readonly logger?: Logger;
}

/** The backend a configuration names. */
export function createEventSink(config: EventSinkConfig, deps: EventSinkDependencies = {}): EventSink {
  const sink = build(config);
  deps.logger?.info({ sink: sink.name, target: targetOf(config) }, 'event sink ready');
  return sink;
}

function build(config: EventSinkConfig): EventSink {
  switch (config.type) {
    case 'file':
      return new FileEventSink({ path: config.path });
    case 'lunary':
      return new LunaryEventSink(config);
    case 'helicone':
      return new HeliconeEventSink(config);
    case 'otel':
      return new OtelEventSink(config);
    default:
      return unknownSink(config);
  }
}

/** Where events go, for the log: the file, or the endpoint's origin (a URL's path or query may hold a key). */
function targetOf(config: EventSinkConfig): string {
  if (config.type === 'file') return config.path;
  if (config.endpoint === undefined) return 'default endpoint';
  try {
    return new URL(config.endpoint).origin;
  } catch {
    return 'invalid endpoint';
  }
}

function unknownSink(config: never): never {
  throw new Error(`unknown event sink type: ${String((config as { type?: unknown }).type)}`);
}
