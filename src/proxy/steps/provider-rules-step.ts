import type { ProviderConfig, ProvidersConfig } from '../../config/index.js';
import { checkRequestBody } from '../body-check/index.js';
import { AppError, ERRORS } from '../../core/index.js';
import type { BodyRateGuard } from '../body-rate-guard.js';
import { readBody } from '../read-body.js';
import { EMPTY_BODY, NO_BODY, ReadBody, StreamedBody, planBody } from '../request-body.js';
import { checkOrigin, providerOf, throwOnVerdict } from '../request-checks.js';
import { routed } from '../request-state.js';
import type { Authenticated, Routed } from '../request-state.js';
import { endpointOf, verdictFor } from '../route-policy.js';
import type { StepResult } from '../step-runner.js';

/**
 * Applies the rules of the project's provider: its endpoint and method allowlists, `allowed_origins` and
 * `required_headers: [origin]`, then the body — under a `param_whitelist` every body is read (bounded by
 * MAX_REQUEST_SIZE, also once decoded) and checked, failing closed; without one JSON is read and multipart
 * and binary bodies stream through unread.
 */
export function providerRulesStep(providers: ProvidersConfig, maxRequestSize: number, guard?: BodyRateGuard) {
  return function providerRules(state: Authenticated): StepResult<Routed> {
    const provider = providerOf(state.project, providers);
    const endpoint = endpointOf(provider, state.path);
    // The route allowlist let the path through: another provider serves it.
    if (endpoint === undefined) throw endpointNotServed(provider);
    throwOnVerdict(verdictFor(provider, endpoint, state.method));
    checkOrigin(provider, state.req.headers.origin);
    const plan = planBody(state.req, state.method, provider);
    switch (plan.kind) {
      case 'none':
        return routed(state, provider, endpoint, plan.empty ? EMPTY_BODY : NO_BODY);
      case 'stream':
        return routed(state, provider, endpoint, new StreamedBody(state.req, guard));
      case 'read':
        return new BodyCheck(state, provider, endpoint, plan.json, plan.checked, maxRequestSize, guard);
    }
  };
}

function endpointNotServed(provider: ProviderConfig): AppError {
  return new AppError(ERRORS.ENDPOINT_NOT_SERVED, {
    message: `this project's provider (${provider.name}) does not serve this endpoint`,
  });
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
    const { state, provider } = this;
    readBody(
      state.req,
      this.limit,
      (error, bytes) => {
        if (error !== undefined || bytes === undefined) {
          onRefused?.(error ?? new Error('request body missing'));
          return;
        }
        if (!this.checked) {
          onRead?.(routed(state, provider, this.endpoint, new ReadBody(bytes, this.json)));
          return;
        }
        checkRequestBody(bytes, state.req.headers, provider, this.limit, (failure, checked) => {
          if (checked === undefined) onRefused?.(failure);
          else
            onRead?.(
              routed(state, provider, this.endpoint, new ReadBody(checked.bytes, this.json, checked.decoded)),
            );
        });
      },
      this.guard,
    );
    // The step runner ignores what `then` returns; a full promise is not needed here.
    return this as unknown as PromiseLike<R1 | R2>;
  }
}
