export { ProxyMetrics } from './proxy-metrics.js';
export type { MetricsSnapshot } from './proxy-metrics.js';
