import { describe, expect, it } from 'vitest';
import { parse } from 'node-html-parser';

import { timestamp } from '../../src/admin/render/format.js';
import type { TimeFormat } from '../../src/admin/render/format.js';

const INSTANT = '2025-03-01T15:04:05.000Z';

/** The `<time>` element as rendered, before any script runs. */
function rendered(format: TimeFormat) {
  const element = parse(timestamp(INSTANT, 'Never', format).text).querySelector('time');
  return {
    text: element?.textContent.trim(),
    format: element?.getAttribute('data-format'),
    ts: element?.getAttribute('data-ts'),
    title: element?.getAttribute('title'),
    datetime: element?.getAttribute('datetime'),
  };
}

describe('timestamps as the server renders them', () => {
  it('reads in UTC in every format until the browser localises it, the instant in its attributes', () => {
    const expected: [TimeFormat, string][] = [
      ['datetime', '2025-03-01 15:04:05 UTC'],
      ['ymd_hms', '2025-03-01 15:04:05 UTC'],
      ['ymd_hms_tz', '2025-03-01 15:04:05 UTC'],
      ['ymd_hm', '2025-03-01 15:04 UTC'],
      ['long', 'March 1, 2025 at 3:04 PM UTC'],
      ['date', '2025-03-01'],
      ['date_only', '2025-03-01'],
    ];
    for (const [format, text] of expected) {
      expect(rendered(format)).toEqual({ text, format, ts: INSTANT, title: INSTANT, datetime: INSTANT });
    }
  });

  it('says the fallback for no time, and shows text that is not a time as it is', () => {
    expect(timestamp(null).text).toContain('Never');
    expect(timestamp(undefined, 'Not yet').text).toContain('Not yet');
    expect(timestamp('soon').text).toBe('soon');
    expect(parse(timestamp('2025-03-01T00:30:00.000Z', '', 'long').text).textContent.trim()).toBe(
      'March 1, 2025 at 12:30 AM UTC',
    );
  });
});
