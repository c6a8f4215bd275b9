import { describe, expect, it } from 'vitest';

import { withoutNullUsage } from '../../src/usage/null-usage.js';

const bytes = (text: string): Buffer => Buffer.from(text);

describe('withoutNullUsage', () => {
  it('removes the member with the comma before it, in every chunk of a run of events', () => {
    const events =
      'data: {"id":"a","choices":[{"delta":{"content":"Hi"}}],"usage":null}\n\n' +
      'data: {"id":"a","choices":[{"delta":{}}],"usage":null,"obfuscation":"x1"}\n\n';
    expect(withoutNullUsage(bytes(events)).toString()).toBe(
      'data: {"id":"a","choices":[{"delta":{"content":"Hi"}}]}\n\n' +
        'data: {"id":"a","choices":[{"delta":{}}],"obfuscation":"x1"}\n\n',
    );
  });

  it('removes a first member with the comma after it', () => {
    expect(withoutNullUsage(bytes('{"usage":null,"id":"a"}')).toString()).toBe('{"id":"a"}');
  });

  it('returns the same bytes when there is nothing to remove, and leaves text that only quotes it', () => {
    const usage = bytes('data: {"choices":[],"usage":{"prompt_tokens":1}}\n\n');
    expect(withoutNullUsage(usage)).toBe(usage);
    const quoted = bytes('data: {"choices":[{"delta":{"content":"say \\"usage\\":null"}}]}\n\n');
    expect(withoutNullUsage(quoted)).toBe(quoted);
  });
});
