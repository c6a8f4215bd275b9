import { describe, expect, it } from 'vitest';

import { ReadBody } from '../../src/proxy/request-body.js';
import { withStreamUsage } from '../../src/proxy/stream-usage-request.js';

const rewrite = (text: string, json = true) => {
  const body = withStreamUsage(new ReadBody(Buffer.from(text), json));
  return body === undefined ? undefined : { text: (body.payload as Buffer).toString(), body };
};

describe('asking a streamed request for usage', () => {
  it('inserts the option before the closing brace, keeping the client bytes and trailing whitespace', () => {
    const result = rewrite('{ "model": "gpt-4o", "stream": true }\r\n');
    expect(result?.text).toBe(
      '{ "model": "gpt-4o", "stream": true ,"stream_options":{"include_usage":true}}\r\n',
    );
    // Forwarded with its own length; its size and facts stay the client's.
    expect(result?.body.decoded).toBe(true);
    expect(result?.body.size()).toBe(Buffer.byteLength('{ "model": "gpt-4o", "stream": true }\r\n'));
    expect(result?.body.facts()).toMatchObject({ model: 'gpt-4o', stream: true, streamOptions: undefined });
  });

  it('replaces stream_options: null with the option', () => {
    expect(JSON.parse(rewrite('{"stream":true,"stream_options":null}')!.text)).toEqual({
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('inserts when "stream_options" is only text in a message', () => {
    const result = rewrite('{"stream":true,"messages":[{"content":"stream_options"}]}');
    expect(JSON.parse(result!.text).stream_options).toEqual({ include_usage: true });
  });

  it('leaves alone what the client decided or what is not a streamed JSON object', () => {
    expect(rewrite('{"stream":true,"stream_options":{"include_usage":false}}')).toBeUndefined();
    expect(rewrite('{"stream":true,"stream_options":{"include_usage":true}}')).toBeUndefined();
    expect(rewrite('{"stream":true,"stream_options":"yes"}')).toBeUndefined();
    expect(rewrite('{"stream":false}')).toBeUndefined();
    expect(rewrite('{"model":"gpt-4o"}')).toBeUndefined();
    expect(rewrite('{"stream":true')).toBeUndefined();
    expect(rewrite('[{"stream":true}]')).toBeUndefined();
    expect(rewrite('{"stream":true}', false)).toBeUndefined();
  });
});
