import { ConfigError } from '../config/index.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../core/index.js';
import type { Store } from '../store/index.js';
import { UsageRollup, loadPriceTable } from '../usage/index.js';
import type { ResourceStack } from './resource-stack.js';

/**
 * The usage rollup of this instance, or undefined with USAGE_ENABLED=false. A price file that cannot be read
 * stops the start with every problem it has, as any other configuration error does.
 */
export function openUsageRollup(
  config: Config,
  store: Store,
  logger: Logger,
  parts: ResourceStack,
): UsageRollup | undefined {
  if (!config.usage.enabled) return undefined;
  const prices = loadPriceTable(
    config.usage.pricesFile === '' ? {} : { overridePath: config.usage.pricesFile },
  );
  if (!prices.ok) {
    const override = config.usage.pricesFile;
    throw new ConfigError(
      prices.problems.map((problem) =>
        override !== '' && problem.startsWith(override)
          ? `USAGE_PRICES_FILE: ${problem}`
          : `the shipped price table: ${problem}`,
      ),
    );
  }
  const rollup = new UsageRollup({
    repository: store.usage,
    prices: prices.value,
    logger,
    flushIntervalMs: config.usage.rollupIntervalMs,
  });
  parts.add('usage rollup', () => rollup.close());
  return rollup;
}
