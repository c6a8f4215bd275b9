import type { UsageRollup } from '../usage/index.js';
import type { ExchangeObserver, ExchangeRecord } from './exchange-record.js';

/**
 * Counts every finished exchange of a project in the usage rollup: requests, tokens (as the usage tap found
 * them), cache hits and errors. `record` is synchronous and does no I/O: the rollup writes in the background.
 */
export function usageObserver(rollup: UsageRollup): ExchangeObserver {
  return {
    name: 'usage',
    exchangeFinished(record: ExchangeRecord) {
      rollup.record({
        projectId: record.projectId,
        tokenId: record.tokenId,
        model: record.model,
        // The hour the request arrived, as its event and the audit trail date it: a long stream that ends after
        // the hour turned still belongs to the hour it was asked in.
        at: record.startedAt,
        usage: record.usage,
        cacheHit: record.source === 'cache',
        error: record.status >= 400 || record.outcome !== 'completed',
      });
    },
  };
}
