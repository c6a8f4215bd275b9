import type { FastifyReply } from 'fastify';

/**
 * Scripts and styles only from the UI's own files (no inline script can run, so injected markup cannot
 * act), no framing, forms that post only back here, and no address leaked to other sites (the referrer goes
 * to our own pages only).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Sets the admin UI's security headers on a reply; pages are never cached, hashed assets are (see assets). */
export function setSecurityHeaders(reply: FastifyReply): void {
  void reply.headers({
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    // Not no-referrer: Chromium then sends `Origin: null` with our own forms, and the origin check needs it.
    'referrer-policy': 'same-origin',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
    'cache-control': 'no-store',
  });
}
