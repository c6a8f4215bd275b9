export { QuotaGate } from './quota-gate.js';
export type { Admission, QuotaGateOptions } from './quota-gate.js';
export { RequestCountBatcher } from './request-count-batcher.js';
export type { RequestCountBatcherOptions } from './request-count-batcher.js';
