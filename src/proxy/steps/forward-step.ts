import { describeDecodedBody, upstreamRequestHeaders } from '../forwarded-headers.js';
import type { Admitted } from '../request-state.js';
import { ANSWERED } from '../step-runner.js';
import type { UpstreamPools } from '../upstream-pools.js';

/** Sends the request to the provider with the project's key, over the provider's keep-alive pool. */
export function forwardStep(pools: UpstreamPools) {
  return function forward(state: Admitted): typeof ANSWERED {
    const { provider, project } = state;
    const headers = upstreamRequestHeaders(state.req.headers, {
      auth: provider.auth,
      apiKey: project.apiKey,
      requestId: state.requestId,
      projectId: project.id,
    });
    const { body } = state;
    if (body.decoded === true)
      describeDecodedBody(headers, Buffer.isBuffer(body.payload) ? body.payload.length : body.size());
    // The usage chunk the proxy asked for is removed from the stream it passes on, which it cannot do to a
    // compressed one; any client accepts an answer that is not compressed (RFC 9110 §12.5.3).
    if (state.streamUsageAdded) headers['accept-encoding'] = 'identity';
    const extra = state.extraUpstreamHeaders;
    if (extra !== undefined) Object.assign(headers, extra);
    state.dispatchUpstream(pools.poolFor(provider), headers, state);
    return ANSWERED;
  };
}
