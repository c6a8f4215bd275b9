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
