import { describe, expect, it } from 'vitest';

import { LabelledCounter, LabelledHistogram } from '../../src/metrics/labelled-series.js';

describe('labelled series', () => {
  it('renders counters per label combination with escaped values', () => {
    const counter = new LabelledCounter('x_total', 'Things.', ['a', 'b']);
    counter.inc(['1', 'say "hi"\\\n']);
    counter.inc(['1', 'say "hi"\\\n']);
    counter.inc(['2', 'plain']);
    expect(counter.render()).toBe(
      '# HELP x_total Things.\n# TYPE x_total counter\n' +
        'x_total{a="1",b="say \\"hi\\"\\\\\\n"} 2\n' +
        'x_total{a="2",b="plain"} 1\n',
    );
  });

  it('renders cumulative histogram buckets, +Inf, sum and count', () => {
    const histogram = new LabelledHistogram('d_seconds', 'Durations.', ['p'], [0.1, 1]);
    for (const value of [0.05, 0.1, 0.5, 2]) histogram.observe(['x'], value);
    expect(histogram.render()).toBe(
      '# HELP d_seconds Durations.\n# TYPE d_seconds histogram\n' +
        'd_seconds_bucket{p="x",le="0.1"} 2\n' +
        'd_seconds_bucket{p="x",le="1"} 3\n' +
        'd_seconds_bucket{p="x",le="+Inf"} 4\n' +
        'd_seconds_sum{p="x"} 2.65\n' +
        'd_seconds_count{p="x"} 4\n',
    );
  });
});
