import type { ProviderConfig, ProvidersConfig } from '../../config/index.js';
import type { BodyRateGuard } from '../body-rate-guard.js';
import { readBody } from '../read-body.js';
import { EMPTY_BODY, NO_BODY, ReadBody, StreamedBody, checkBody, planBody } from '../request-body.js';
import { checkOrigin, providerOf, throwOnVerdict } from '../request-checks.js';
import { routed } from '../request-state.js';
import type { Authenticated, Routed } from '../request-state.js';
import { endpointOf, verdictFor } from '../route-policy.js';
import type { StepResult } from '../step-runner.js';

/**
 * Applies the rules of the project's provider: its endpoint and method allowlists, `allowed_origins` and
 * `required_headers: [origin]`, then the body — JSON is read (bounded by MAX_REQUEST_SIZE) and checked against
 * `param_whitelist`; multipart and binary bodies stream through unread.
 */
export function providerRulesStep(providers: ProvidersConfig, maxRequestSize: number, guard?: BodyRateGuard) {
  return function providerRules(state: Authenticated): StepResult<Routed> {
    const provider = providerOf(state.project, providers);
    const endpoint = endpointOf(provider, state.path);
    throwOnVerdict(verdictFor(provider, endpoint, state.method));
    checkOrigin(provider, state.req.headers.origin);
    // verdictFor refused an unknown endpoint above.
    const matched = endpoint as string;
    const plan = planBody(state.req, state.method, provider);
    switch (plan.kind) {
      case 'none':
        return routed(state, provider, matched, plan.empty ? EMPTY_BODY : NO_BODY);
      case 'stream':
        return routed(state, provider, matched, new StreamedBody(state.req, guard));
      case 'read':
        return new BodyCheck(state, provider, matched, plan.json, plan.checked, maxRequestSize, guard);
    }
  };
}

/**
 * Reads and checks a body, as a thenable the step runner continues from: no promise is allocated for the
 * JSON body of every request.
 */
class BodyCheck implements PromiseLike<Routed> {
  constructor(
    private readonly state: Authenticated,
    private readonly provider: ProviderConfig,
    private readonly endpoint: string,
    private readonly json: boolean,
    private readonly checked: boolean,
    private readonly limit: number,
    private readonly guard: BodyRateGuard | undefined,
  ) {}

  then<R1 = Routed, R2 = never>(
    onRead?: ((value: Routed) => R1 | PromiseLike<R1>) | null,
    onRefused?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): PromiseLike<R1 | R2> {
    readBody(
      this.state.req,
      this.limit,
      (error, bytes) => {
        let next: Routed;
        try {
          if (error !== undefined || bytes === undefined) throw error ?? new Error('request body missing');
          const body = new ReadBody(bytes, this.json);
          checkBody(body, this.checked, this.provider);
          next = routed(this.state, this.provider, this.endpoint, body);
        } catch (failure) {
          onRefused?.(failure);
          return;
        }
        onRead?.(next);
      },
      this.guard,
    );
    // The step runner ignores what `then` returns; a full promise is not needed here.
    return this as unknown as PromiseLike<R1 | R2>;
  }
}
