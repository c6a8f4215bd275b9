import { describe, expect, it } from 'vitest';

import { SseDecoder, decodeSse } from '../../src/core/index.js';

describe('SseDecoder', () => {
  it('dispatches the data of each event at its blank line', () => {
    expect(decodeSse('data: {"a":1}\n\ndata: [DONE]\n\n')).toEqual(['{"a":1}', '[DONE]']);
  });

  it('joins several data lines with a line feed and strips one leading space only', () => {
    expect(decodeSse('data: one\ndata:  two\ndata:three\n\n')).toEqual(['one\n two\nthree']);
  });

  it('ignores comments, other fields and blank lines without data', () => {
    expect(decodeSse(': keep-alive\n\nevent: message\nid: 7\nretry: 100\ndata: x\n\n\n\n')).toEqual(['x']);
  });

  it('accepts CRLF and CR line ends, also when CRLF is split across chunks', () => {
    const decoder = new SseDecoder();
    expect(decoder.push('data: a\r')).toEqual([]);
    // The last CR could still be half of a CRLF: the event ends only once the next character is known.
    expect(decoder.push('\n\r\ndata: b\r\r')).toEqual(['a']);
    expect(decoder.push('data: c\n\n')).toEqual(['b', 'c']);
  });

  it('holds an incomplete line and event until the rest arrives', () => {
    const decoder = new SseDecoder();
    expect(decoder.push('da')).toEqual([]);
    expect(decoder.push('ta: hel')).toEqual([]);
    expect(decoder.push('lo\n')).toEqual([]);
    expect(decoder.push('\n')).toEqual(['hello']);
  });

  it('dispatches a last event without its blank line at the end of the stream', () => {
    const decoder = new SseDecoder();
    expect(decoder.push('data: first\n\ndata: last')).toEqual(['first']);
    expect(decoder.end()).toEqual(['last']);
  });

  it('treats a data line without a colon as empty data', () => {
    expect(decodeSse('data\n\n')).toEqual(['']);
  });

  it('decodes UTF-8 bytes, also when a character is split across chunks', () => {
    const bytes = new TextEncoder().encode('data: {"text":"héllo ✓"}\n\n');
    const split = bytes.indexOf(0xe2) + 1;
    const decoder = new SseDecoder();
    expect(decoder.push(bytes.subarray(0, split))).toEqual([]);
    expect(decoder.push(bytes.subarray(split))).toEqual(['{"text":"héllo ✓"}']);
    expect(decoder.end()).toEqual([]);
  });

  it('drops a byte order mark at the start of the stream only', () => {
    const decoder = new SseDecoder();
    expect(decoder.push(new Uint8Array([0xef, 0xbb, 0xbf]))).toEqual([]);
    expect(decoder.push('data: \uFEFFkept\n\n')).toEqual(['\uFEFFkept']);
    expect(decodeSse('\uFEFFdata: x\n\n')).toEqual(['x']);
  });
});
