/** Returned by a step that has answered the request itself (a preflight, a cache hit) or handed it on. */
export const ANSWERED: unique symbol = Symbol('answered');

/** What a step returns: the next stage of the request state or {@link ANSWERED}, or a thenable of either. */
export type StepResult<O> = O | PromiseLike<O | typeof ANSWERED> | typeof ANSWERED;

/** One named step of the pipeline. */
export interface Step<I, O> {
  readonly name: string;
  readonly run: (state: I) => StepResult<O>;
}

/** Receives whatever a step threw or rejected with, and the state the request was in. */
export type StepErrorResponder<S> = (state: S, error: unknown) => void;

/** A built pipeline: runs a request's initial state through every step in order. */
export interface Pipeline<S> {
  /** The step names in order, as built from the configuration. */
  readonly stepNames: readonly string[];
  run(state: S): void;
}

// The runner sees steps untyped: the builder has checked that each one takes what the previous one returns.
type AnyStep = Step<unknown, unknown>;

/**
 * Builds a pipeline step by step, typing each step's input as the previous step's output. A capability that
 * is switched off is left out of the list with {@link PipelineBuilder.stepIf}, so it costs nothing per request.
 */
export class PipelineBuilder<Initial, Current> {
  private constructor(private readonly steps: readonly AnyStep[]) {}

  /** An empty pipeline whose first step receives `Initial`. */
  static start<S>(): PipelineBuilder<S, S> {
    return new PipelineBuilder<S, S>([]);
  }

  /** Appends a step. */
  step<O>(name: string, run: (state: Current) => StepResult<O>): PipelineBuilder<Initial, O> {
    return new PipelineBuilder<Initial, O>([...this.steps, { name, run } as AnyStep]);
  }

  /** Appends a step that keeps the stage as it is, only when `enabled`. */
  stepIf(
    enabled: boolean,
    name: string,
    run: (state: Current) => StepResult<Current>,
  ): PipelineBuilder<Initial, Current> {
    return enabled ? this.step(name, run) : this;
  }

  /** Appends the last step, which answers or hands the request on, and builds the runner. */
  finish(
    name: string,
    run: (state: Current) => StepResult<never>,
    onError: StepErrorResponder<Initial>,
  ): Pipeline<Initial> {
    const steps = [...this.steps, { name, run } as AnyStep];
    const respond = onError as StepErrorResponder<unknown>;
    return {
      stepNames: steps.map((step) => step.name),
      run(state) {
        runSteps(steps, 0, state, respond);
      },
    };
  }
}

/**
 * Runs the steps from `index` on. Synchronous steps continue in the same tick; a step that returns a thenable
 * continues when it settles (written once here, not in every step). Every throw and rejection goes to the one
 * error responder, with the state the request had reached.
 */
function runSteps(
  steps: readonly AnyStep[],
  index: number,
  state: unknown,
  onError: StepErrorResponder<unknown>,
): void {
  let current = state;
  for (let at = index; at < steps.length; at += 1) {
    let result: StepResult<unknown>;
    try {
      result = (steps[at] as AnyStep).run(current);
    } catch (error) {
      onError(current, error);
      return;
    }
    // Most steps hand on the state they were given: the common case needs no further checks.
    if (result === current) continue;
    if (result === ANSWERED) return;
    if (isThenable(result)) {
      const next = at + 1;
      const failed = current;
      result.then(
        (value) => {
          // A step that waited may have answered after all (a request collapsed onto another one's answer).
          if (value !== ANSWERED) runSteps(steps, next, value, onError);
        },
        (error: unknown) => {
          onError(failed, error);
        },
      );
      return;
    }
    current = result;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}
