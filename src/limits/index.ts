export { QuotaGate } from './quota-gate.js';
export type { Admission, QuotaGateOptions } from './quota-gate.js';
export { UsageBatcher } from './usage-batcher.js';
export type { UsageBatcherOptions } from './usage-batcher.js';
