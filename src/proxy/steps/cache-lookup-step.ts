import type { ProxyCache } from '../cache/proxy-cache.js';
import type { Routed } from '../request-state.js';
import type { StepResult } from '../step-runner.js';

/**
 * Answers a cacheable request from the response cache when it holds a fresh answer, joins it to an identical
 * request already on its way upstream, or lets it go on (see cache/proxy-cache.ts). Left out of the pipeline
 * when HTTP_CACHE_ENABLED=false.
 */
export function cacheLookupStep(cache: ProxyCache) {
  return function cacheLookup(state: Routed): StepResult<Routed> {
    return cache.lookup(state);
  };
}
