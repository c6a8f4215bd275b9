export { QuotaGate } from './quota-gate.js';
export type { Admission, QuotaGateOptions } from './quota-gate.js';
export { UsageBatcher } from './request-count-batcher.js';
export type { UsageBatcherOptions } from './request-count-batcher.js';
