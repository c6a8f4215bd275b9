import { describe, expect, it } from 'vitest';

import { EXPOSED_HEADERS, browserMayRead, originAllowed, varyWithOrigin } from '../../src/proxy/cors.js';

describe('varyWithOrigin', () => {
  it('is Origin when the answer has no Vary', () => {
    expect(varyWithOrigin(undefined)).toBe('Origin');
    expect(varyWithOrigin('')).toBe('Origin');
  });

  it("keeps the upstream's Vary and adds Origin to it", () => {
    expect(varyWithOrigin('Accept-Encoding')).toBe('Accept-Encoding, Origin');
    // An upstream that sends Vary twice: undici hands both values over as an array.
    expect(varyWithOrigin(['Accept', 'Accept-Encoding'])).toBe('Accept, Accept-Encoding, Origin');
  });

  it('does not repeat Origin or extend a Vary of *', () => {
    expect(varyWithOrigin('accept-encoding, origin')).toBe('accept-encoding, origin');
    expect(varyWithOrigin('*')).toBe('*');
  });
});

describe('EXPOSED_HEADERS', () => {
  it("lets a browser read the proxy's own headers", () => {
    expect(EXPOSED_HEADERS).toContain('X-Request-ID');
    expect(EXPOSED_HEADERS).toContain('X-UPSTREAM-REQUEST-START');
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
