export type { TokenUsage } from './token-usage.js';
export {
  SHIPPED_PRICES_PATH,
  createPriceTable,
  estimateCostUsd,
  loadPriceTable,
  parsePriceDocument,
} from './prices.js';
export type { LoadPriceTableOptions, ModelPrice, PriceTable, PriceTableResult } from './prices.js';
export { UsageRollup } from './usage-rollup.js';
export type { UsageExchange, UsageRollupOptions, UsageRollupStats } from './usage-rollup.js';
export { usageFromJson, usageFromJsonTail, usageFromObject, mayCarryUsage } from './usage-from-json.js';
export { StreamUsageEvents } from './stream-usage-events.js';
export type { StreamEventKind } from './stream-usage-events.js';
export { StreamUsageReader } from './stream-usage-reader.js';
export type { KeptStream, StreamUsageReaderOptions } from './stream-usage-reader.js';
export { SseEventBounds } from './sse-event-bounds.js';
export { answerText, requestText, streamText } from './usage-text.js';
export type { CollectedText } from './usage-text.js';
export { encodingForModel, estimateUsage, loadTokenCounter, tokenCounter } from './estimate-usage.js';
export type { TokenCounter, TokenEncoding, UsageEstimateInput } from './estimate-usage.js';
