import type { Routed } from '../request-state.js';
import { routed } from '../request-state.js';
import { withStreamUsage } from '../stream-usage-request.js';

/** The OpenAI endpoints whose streams report usage only when asked (`stream_options.include_usage`). */
const USAGE_ON_REQUEST = new Set(['/v1/chat/completions', '/v1/completions']);

/**
 * Asks the upstream for the usage of a streamed OpenAI chat or text completion the client did not ask it for,
 * so that the tokens of every stream are counted exactly; the usage tap removes the extra chunk again (see
 * `streamUsageAdded`). Runs before the cache lookup, so that a cache hit of such a request is known to be one.
 * Off for a provider with `request_stream_usage: false`; Anthropic and the Responses API always report usage.
 * In the pipeline only when the usage tap is installed.
 */
export function streamUsageStep() {
  return function streamUsage(state: Routed): Routed {
    if (!state.provider.requestStreamUsage || state.method !== 'POST' || !USAGE_ON_REQUEST.has(state.path)) {
      return state;
    }
    const body = withStreamUsage(state.body);
    if (body === undefined) return state;
    state.streamUsageAdded = true;
    return routed(state, state.provider, state.endpoint, body);
  };
}
