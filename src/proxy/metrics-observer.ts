import type { ProxyMetrics } from '../metrics/index.js';
import type { ExchangeObserver, ExchangeRecord } from './exchange-record.js';

/** The proxy's metrics as the first exchange observer: request counts, durations, errors and in-flight. */
export function metricsObserver(metrics: ProxyMetrics): ExchangeObserver {
  return {
    name: 'metrics',
    exchangeStarted() {
      metrics.started();
    },
    exchangeFinished(record: ExchangeRecord) {
      if (record.errorCode !== null) metrics.proxyError(record.errorCode);
      if (record.cache !== null) metrics.cacheOutcome(record.cache);
      metrics.finished(
        record.provider ?? 'none',
        record.endpoint ?? 'unmatched',
        record.method,
        record.status,
        record.durationMs / 1000,
        record.upstreamMs === null ? undefined : record.upstreamMs / 1000,
      );
    },
  };
}
