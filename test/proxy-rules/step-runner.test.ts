import { describe, expect, it } from 'vitest';

import { ANSWERED, PipelineBuilder } from '../../src/proxy/step-runner.js';

interface Counted {
  readonly trail: string[];
}

/** A thenable that settles when the test says so. */
function later<T>(): {
  thenable: PromiseLike<T>;
  settle: (value: T) => void;
  fail: (error: unknown) => void;
} {
  let settle!: (value: T) => void;
  let fail!: (error: unknown) => void;
  const thenable = new Promise<T>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  return { thenable, settle, fail };
}

describe('the step runner', () => {
  const step =
    (name: string) =>
    (state: Counted): Counted => {
      state.trail.push(name);
      return state;
    };

  it('runs synchronous steps in order within the same tick, and leaves out steps that are off', () => {
    const errors: unknown[] = [];
    const pipeline = PipelineBuilder.start<Counted>()
      .step('a', step('a'))
      .stepIf(false, 'off', step('off'))
      .stepIf(true, 'b', step('b'))
      .finish(
        'end',
        (state) => {
          state.trail.push('end');
          return ANSWERED;
        },
        (_state, error) => errors.push(error),
      );
    const state = { trail: [] };
    pipeline.run(state);
    // Nothing awaited: every step ran before run() returned.
    expect(state.trail).toEqual(['a', 'b', 'end']);
    expect(pipeline.stepNames).toEqual(['a', 'b', 'end']);
    expect(errors).toEqual([]);
  });

  it('continues after a step that returns a thenable, with the value it resolves to', async () => {
    const pending = later<Counted>();
    const done: string[][] = [];
    const pipeline = PipelineBuilder.start<Counted>()
      .step('a', step('a'))
      .step('wait', () => pending.thenable)
      .finish(
        'end',
        (state) => {
          done.push([...state.trail, 'end']);
          return ANSWERED;
        },
        () => undefined,
      );
    pipeline.run({ trail: [] });
    expect(done).toEqual([]);
    pending.settle({ trail: ['resolved'] });
    await pending.thenable;
    expect(done).toEqual([['resolved', 'end']]);
  });

  it('stops at a step that answered the request itself', () => {
    const state = { trail: [] as string[] };
    PipelineBuilder.start<Counted>()
      .step('answers', (s) => {
        s.trail.push('answers');
        return ANSWERED;
      })
      .finish('never', step('never') as never, () => undefined)
      .run(state);
    expect(state.trail).toEqual(['answers']);
  });

  it('hands every throw and rejection to the one error responder, with the state reached', async () => {
    const seen: [string[], unknown][] = [];
    const responder = (state: Counted, error: unknown): void => {
      seen.push([[...state.trail], error]);
    };
    const thrown = new Error('thrown');
    PipelineBuilder.start<Counted>()
      .step('a', step('a'))
      .step('throws', () => {
        throw thrown;
      })
      .finish('end', step('end') as never, responder)
      .run({ trail: [] });
    expect(seen).toEqual([[['a'], thrown]]);

    const pending = later<Counted>();
    const rejected = new Error('rejected');
    PipelineBuilder.start<Counted>()
      .step('a', step('a'))
      .step('rejects', () => pending.thenable)
      .finish('end', step('end') as never, responder)
      .run({ trail: [] });
    pending.fail(rejected);
    await pending.thenable.then(undefined, () => undefined);
    expect(seen[1]).toEqual([['a'], rejected]);
  });
});
