/** How many ticks warm `process.nextTick` up; a few milliseconds at start. */
const WARM_UP_TICKS = 20_000;

function noop(): void {
  // A tick that does nothing: only node's own bookkeeping of it runs.
}

/**
 * Runs node's `process.nextTick` often enough for V8 to optimise it before the server's modules load.
 * Measured with the paired A/B benchmark (benchmarks/README.md, "A/B"): when nextTick first became hot only after
 * the server's start-up had run (configuration, migrations, route compilation), V8 optimised it with feedback
 * that sent every tick object through a slow path — four times the cost per call, about 6 µs of CPU per proxied
 * request, which every request pays through node's streams. Warming it first makes its optimisation the fast one.
 */
export function warmUpNextTick(): void {
  for (let tick = 0; tick < WARM_UP_TICKS; tick += 1) process.nextTick(noop);
}
