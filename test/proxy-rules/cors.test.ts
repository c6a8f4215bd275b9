import type { OutgoingHttpHeaders } from 'node:http';

import { describe, expect, it } from 'vitest';

import { addResponseCorsHeaders, browserMayRead, originAllowed } from '../../src/proxy/cors.js';

function withCors(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
  addResponseCorsHeaders(headers, 'https://app.example');
  return headers;
}

describe('addResponseCorsHeaders', () => {
  it('echoes the origin and exposes the proxy headers', () => {
    const headers = withCors({});
    expect(headers['access-control-allow-origin']).toBe('https://app.example');
    expect(headers['access-control-expose-headers']).toContain('X-Request-ID');
    expect(headers.vary).toBe('Origin');
  });

  it("keeps the upstream's Vary and adds Origin to it", () => {
    expect(withCors({ vary: 'Accept-Encoding' }).vary).toBe('Accept-Encoding, Origin');
    // An upstream that sends Vary twice: undici hands both values over as an array.
    const repeated: Record<string, string[]> = { vary: ['Accept', 'Accept-Encoding'] };
    expect(withCors(repeated).vary).toBe('Accept, Accept-Encoding, Origin');
  });

  it('does not repeat Origin or extend a Vary of *', () => {
    expect(withCors({ vary: 'accept-encoding, origin' }).vary).toBe('accept-encoding, origin');
    expect(withCors({ vary: '*' }).vary).toBe('*');
  });
});

describe('originAllowed', () => {
  it('allows every origin under an empty list and only listed ones otherwise', () => {
    expect(originAllowed('https://a.example', [])).toBe(true);
    expect(originAllowed('https://a.example', ['https://a.example'])).toBe(true);
    expect(originAllowed('https://b.example', ['https://a.example'])).toBe(false);
  });
});

describe('browserMayRead', () => {
  it('reflects only listed origins: an empty list reflects none', () => {
    expect(browserMayRead('https://a.example', [])).toBe(false);
    expect(browserMayRead('https://a.example', ['https://a.example'])).toBe(true);
    expect(browserMayRead('https://b.example', ['https://a.example'])).toBe(false);
  });
});
