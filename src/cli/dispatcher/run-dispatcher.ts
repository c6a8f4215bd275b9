import type { Logger } from '../../core/index.js';
import {
  createEventBus,
  createEventSink,
  dispatcherConsumerName,
  eventSinkConfig,
  redisStreamsBusConfig,
  startDispatcher,
} from '../../events/index.js';
import type { RunningDispatcher } from '../../events/index.js';
import { createLogger } from '../../server/index.js';
import { CliError, enableDebugOutput, errorCodeOf } from '../shared/cli-error.js';
import { assertEnvFileExists, commandSources } from '../shared/config-sources.js';
import { assertCanListen, listenError } from '../server/listen-address.js';
import { resolveDispatcherConfig } from './dispatcher-config.js';
import type { DispatcherCommandConfig } from './dispatcher-config.js';
import { openStreamRedis } from './stream-redis.js';

/** How long a drain may take on SIGTERM before what is unsettled is left pending on the bus. */
const DRAIN_DEADLINE_MS = 15_000;
const BIND_ERRORS = new Set(['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL', 'ENOTFOUND']);

/** What `llm-proxy dispatcher` was started with. */
export interface RunDispatcherOptions {
  readonly envFile: string;
  /** Whether the file was named (`--env`, `ENV`): then it must exist. */
  readonly envFileExplicit?: boolean;
  /** Configuration variables set by flags. */
  readonly flags: Readonly<Record<string, string | undefined>>;
}

/**
 * Delivers events from the Redis Streams bus to the configured backend until SIGTERM or SIGINT, then drains
 * (15 s deadline; what is not accepted by then stays pending for the next dispatcher) and resolves. Startup
 * problems reject with a one-line error; every configuration problem is listed at once.
 */
export async function runDispatcher(options: RunDispatcherOptions): Promise<void> {
  assertEnvFileExists(options.envFile, options.envFileExplicit === true);
  const config = resolveDispatcherConfig(commandSources(options.envFile, options.flags));
  if (config.log.level === 'debug') enableDebugOutput();
  await assertCanListen(config.dispatcher.listen);
  const log = await createLogger(config.log);
  try {
    await deliver(config, log.logger);
  } finally {
    await log.close();
  }
}

async function deliver(config: DispatcherCommandConfig, logger: Logger): Promise<void> {
  const { events, dispatcher: settings } = config;
  // resolveDispatcherConfig refuses a redis-streams bus without a Redis.
  const redis = await openStreamRedis(events.redisUrl ?? '', logger);
  const bus = createEventBus(redisStreamsBusConfig(events, settings), { logger, redis: redis.client });
  const consumer = dispatcherConsumerName(settings.consumerName, settings.service.type);
  let running: RunningDispatcher;
  try {
    running = await startDispatcher({
      config: settings,
      source: bus.source(settings.consumerGroup, consumer),
      sink: createEventSink(eventSinkConfig(settings.service), { logger }),
      logger,
      listen: settings.listen,
      processMetrics: true,
    });
  } catch (error) {
    await bus.close();
    await redis.close();
    throw BIND_ERRORS.has(errorCodeOf(error))
      ? listenError(settings.listen, error)
      : new CliError(`the dispatcher cannot start: ${errorCodeOf(error)}`, { cause: error });
  }
  // At info whatever LOG_LEVEL says: at warn or error an operator still learns that it is up.
  logger.child({}, { level: 'info' }).info(
    {
      service: settings.service.type,
      stream: events.streamKey,
      group: settings.consumerGroup,
      consumer,
      url: running.url,
    },
    'llm-proxy dispatcher is ready',
  );
  try {
    await untilSignal(logger);
    await running.close(DRAIN_DEADLINE_MS);
  } finally {
    await bus.close();
    await redis.close();
  }
}

/** Resolves on the first SIGINT or SIGTERM; a second one ends the process without waiting for the drain. */
function untilSignal(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.warn({ signal }, 'signal received again: exiting without waiting for the drain');
        // What was not acknowledged stays pending on the bus: nothing is lost, it is delivered again.
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal }, 'draining');
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
