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
    if (state.body.decoded === true) describeDecodedBody(headers, state.body.size());
    const extra = state.extraUpstreamHeaders;
    if (extra !== undefined) Object.assign(headers, extra);
    state.dispatchUpstream(pools.poolFor(provider), headers, state);
    return ANSWERED;
  };
}
