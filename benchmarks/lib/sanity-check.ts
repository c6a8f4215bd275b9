import { fetchText } from './manage-api.js';
import { SCENARIOS, requestHeaders } from './scenarios.js';
import type { Target } from './scenarios.js';

/**
 * Checks, before anything is measured, that every target relays the upstream's answers unchanged (status 200
 * and the very bytes the upstream sends directly) for each scenario and for `GET /v1/models`. The fake
 * upstream only accepts the provider key, so a proxy that does not swap credentials fails here.
 */
export async function assertTargetsRelayUpstream(
  direct: Target<string>,
  targets: readonly Target<string>[],
): Promise<void> {
  const requests = [
    ...SCENARIOS.map((scenario) => ({ method: scenario.method, path: scenario.path, body: scenario.body })),
    { method: 'GET' as const, path: '/v1/models', body: undefined },
  ];
  for (const request of requests) {
    const send = (target: Target<string>) =>
      fetchText(`${target.origin}${request.path}`, {
        method: request.method,
        headers: requestHeaders(target),
        body: request.body,
      });
    const expected = await send(direct);
    if (expected.status !== 200) {
      throw new Error(
        `upstream answered ${request.method} ${request.path} with HTTP ${expected.status}: ${expected.body}`,
      );
    }
    for (const target of targets) {
      const actual = await send(target);
      if (actual.status !== 200 || actual.body !== expected.body) {
        throw new Error(
          `${target.name} does not relay ${request.method} ${request.path} unchanged: HTTP ${actual.status} ` +
            actual.body.slice(0, 300),
        );
      }
    }
  }
}
