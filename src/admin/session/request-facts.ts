import type { FastifyRequest } from 'fastify';

import { clientIp } from '../../manage/index.js';
import type { ClientFacts } from '../api/management-api.js';

/** The browser's facts for the API's audit trail: its address by the API's own rule, user agent, referer. */
export function clientFactsOf(request: FastifyRequest): ClientFacts {
  return {
    ip: clientIp(request),
    userAgent: headerText(request.headers['user-agent']),
    referer: headerText(request.headers.referer),
  };
}

/** Whether the browser reached us over HTTPS, directly or through a proxy that says so. */
export function reachedOverHttps(request: FastifyRequest): boolean {
  const forwarded = headerText(request.headers['x-forwarded-proto'])?.split(',', 1)[0]?.trim().toLowerCase();
  if (forwarded !== undefined) return forwarded === 'https';
  return 'encrypted' in request.socket && request.socket.encrypted === true;
}

/** The origin the browser sees this server at (`https://llm.example.com`). */
export function ownOrigin(request: FastifyRequest): string {
  const host =
    headerText(request.headers['x-forwarded-host'])?.split(',', 1)[0]?.trim() ??
    headerText(request.headers.host) ??
    'localhost';
  return `${reachedOverHttps(request) ? 'https' : 'http'}://${host}`;
}

/**
 * Whether a state-changing request came from one of our own pages: browsers send `Origin` with every form
 * post (and `Sec-Fetch-Site` with it); another site's page can set neither to ours.
 */
export function isSameOrigin(request: FastifyRequest): boolean {
  const site = headerText(request.headers['sec-fetch-site']);
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = headerText(request.headers.origin);
  return origin === undefined || origin === ownOrigin(request);
}

function headerText(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === '' ? undefined : text;
}
