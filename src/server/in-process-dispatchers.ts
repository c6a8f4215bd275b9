import type { Config } from '../config/index.js';
import type { Logger } from '../core/index.js';
import {
  createEventSink,
  dispatcherConsumerName,
  eventSinkConfig,
  startDispatcher,
} from '../events/index.js';
import type { EventBus, RunningDispatcher } from '../events/index.js';
import type { ResourceStack } from './resource-stack.js';

/** The consumer group of the server's own JSONL file: apart from every dispatcher's group, so it sees all. */
const FILE_EVENT_LOG_GROUP = 'llm-proxy-file-event-log';

/**
 * Starts the dispatchers a server runs itself: the JSONL file of FILE_EVENT_LOG and, with
 * DISPATCHER_IN_PROCESS, the configured backend. Each reads the bus in its own consumer group, so both receive
 * every event; on the Redis bus the in-process dispatcher shares its group with `llm-proxy dispatcher`
 * processes. They are drained when the server closes — after it stopped taking requests — and on the memory
 * bus they first read everything it still holds, which would otherwise be lost with the process. Returns them
 * for the status page.
 */
export async function startInProcessDispatchers(
  config: Config,
  bus: EventBus,
  logger: Logger,
  parts: ResourceStack,
): Promise<RunningDispatcher[]> {
  const services = [];
  const started: RunningDispatcher[] = [];
  if (config.events.fileEventLog !== '') {
    services.push({
      group: FILE_EVENT_LOG_GROUP,
      service: { type: 'file' as const, path: config.events.fileEventLog },
    });
  }
  if (config.dispatcher.inProcess) {
    services.push({ group: config.dispatcher.consumerGroup, service: config.dispatcher.service });
  }
  for (const { group, service } of services) {
    const consumer = dispatcherConsumerName(config.dispatcher.consumerName, service.type);
    const running = await startDispatcher({
      config: config.dispatcher,
      source: bus.source(group, consumer),
      sink: createEventSink(eventSinkConfig(service), { logger }),
      logger: logger.child({ dispatcher: service.type }),
      // The memory bus ends with the process: what it still holds at shutdown is delivered first.
      readToEndOnDrain: config.events.bus === 'memory',
    });
    parts.add(`${service.type} dispatcher`, async () => {
      await running.close();
    });
    started.push(running);
  }
  return started;
}
