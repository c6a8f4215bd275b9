import { describe, expect, it } from 'vitest';

import { multipartFields, urlEncodedFields } from '../../src/proxy/body-check/form-fields.js';
import { repeatedTopLevelKey } from '../../src/proxy/body-check/json-keys.js';
import { parseMediaType } from '../../src/proxy/body-check/media-type.js';

const MODEL = new Set(['model']);

describe('repeatedTopLevelKey', () => {
  it('finds a checked key repeated at the top level, escaped or not', () => {
    expect(repeatedTopLevelKey('{"model":"a","model":"b"}', MODEL)).toBe('model');
    expect(repeatedTopLevelKey('{ "model" : "a" , "\\u006dodel" : "b" }', MODEL)).toBe('model');
  });

  it('ignores nested keys, strings that look like keys and unchecked repeats', () => {
    expect(repeatedTopLevelKey('{"model":"a","m":[{"model":"b"}],"o":{"model":"c"}}', MODEL)).toBeUndefined();
    expect(repeatedTopLevelKey('{"model":"a","text":"\\",\\"model\\":\\"b"}', MODEL)).toBeUndefined();
    expect(repeatedTopLevelKey('{"x":1,"x":2,"model":"a"}', MODEL)).toBeUndefined();
  });
});

describe('parseMediaType', () => {
  it('reads one media type with its parameters', () => {
    const media = parseMediaType('Multipart/Form-Data; boundary="a b;c"; Charset=UTF-8');
    expect(media?.type).toBe('multipart/form-data');
    expect(media?.params.get('boundary')).toBe('a b;c');
    expect(media?.params.get('charset')).toBe('UTF-8');
  });

  it.each(['text/plain, application/json', 'application/json;;', 'json', 'a/b; x', 'a/b; x=1; x=2', 'a/b c'])(
    'refuses %j',
    (header) => {
      expect(parseMediaType(header)).toBeUndefined();
    },
  );
});

describe('form fields', () => {
  it('decodes urlencoded names and values and keeps repeats', () => {
    expect(urlEncodedFields('mod%65l=a+b&model=c&x=1', MODEL).get('model')).toEqual(['a b', 'c']);
  });

  it('reads multipart fields, file parts included', () => {
    const body = Buffer.from(
      'preamble\r\n--b\r\nContent-Disposition: form-data; name=model\r\n\r\ngpt\r\n' +
        '--b\r\ncontent-disposition: form-data; name="model"; filename="m.txt"\r\n\r\nx\r\n--b--\r\n',
    );
    expect(multipartFields(body, 'b', MODEL).get('model')).toEqual(['gpt', 'x']);
  });

  it.each([
    ['no delimiter', '{"model":"gpt"}'],
    ['no close delimiter', '--b\r\nContent-Disposition: form-data; name="model"\r\n\r\ngpt'],
    ['a folded header', '--b\r\nContent-Disposition: form-data;\r\n name="model"\r\n\r\ngpt\r\n--b--'],
    ['two names', '--b\r\nContent-Disposition: form-data; name="x"; name="model"\r\n\r\ngpt\r\n--b--'],
    ['a name with a backslash', '--b\r\nContent-Disposition: form-data; name="mo\\"del"\r\n\r\ngpt\r\n--b--'],
  ])('refuses a multipart body with %s', (_what, body) => {
    expect(() => multipartFields(Buffer.from(body), 'b', MODEL)).toThrow(/not a valid form/);
  });
});
