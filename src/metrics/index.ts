export { ProxyMetrics } from './proxy-metrics.js';
export type { MetricsSnapshot, RequestLabels } from './proxy-metrics.js';
