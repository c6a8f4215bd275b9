import { describe, expect, it } from 'vitest';

import { parseDurationMinutes } from '../../src/cli/shared/option-parsers.js';

const YEAR = 525_600;

describe('--duration values', () => {
  it.each([
    ['90m', 'minutes', 90],
    ['24h', 'minutes', 1440],
    ['7d', 'hours', 7 * 1440],
    ['1h30m', 'hours', 90],
    ['120s', 'minutes', 2],
    ['365d', 'minutes', YEAR],
    // A bare number keeps the unit the command always had.
    ['90', 'minutes', 90],
    ['24', 'hours', 1440],
  ] as const)('%s with bare %s is %i minutes', (raw, unit, minutes) => {
    expect(parseDurationMinutes(raw, unit, YEAR)).toEqual({ minutes });
  });

  it.each([
    ['abc', 'is not a duration: use a unit (90m, 24h, 7d) or a bare number of hours'],
    ['90x', 'is not a duration'],
    ['-5', 'is not a duration'],
    ['0', 'is out of range: between 1 minute and 365d'],
    ['366d', 'is out of range'],
    ['90s', 'is not a whole number of minutes'],
    ['', 'is not a duration'],
  ])('rejects %j', (raw, problem) => {
    const result = parseDurationMinutes(raw, 'hours', YEAR);
    expect('problem' in result && result.problem).toContain(problem);
  });
});
