import type { ExchangeView } from '../exchange-record.js';
import type { ExchangeHandler, ResponseTap } from './tap.js';

/**
 * Puts the flight of a cacheable request that went upstream into its response chain, where it shares and
 * stores the answer (cache/flight.ts); every other exchange — hits included — passes untouched, at no cost.
 */
export const cacheCaptureTap: ResponseTap = {
  name: 'cache-capture',
  wrap(next: ExchangeHandler, exchange: ExchangeView): ExchangeHandler {
    const flight = exchange.cache?.flight;
    return flight === undefined ? next : flight.wrap(next);
  },
};
