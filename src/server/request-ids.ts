import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import type { FastifyReply, FastifyRequest } from 'fastify';

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Whether a client-supplied request or correlation id may be adopted (short, no spaces or control bytes). */
export function isSaneId(value: unknown): value is string {
  return typeof value === 'string' && SANE_ID.test(value);
}

/** Fastify `genReqId`: the client's `X-Request-ID` when sane, else a new UUID. */
export function requestIdFor(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return isSaneId(given) ? given : randomUUID();
}

/** Whether a path belongs to the proxy, which mints and echoes its own ids. */
export function isProxyPath(url: string): boolean {
  return url === '/v1' || url.startsWith('/v1/') || url.startsWith('/v1?');
}

/** An `onRequest` hook echoing `X-Request-ID` and `X-Correlation-ID` (generated when absent) on non-proxy responses. */
export function echoRequestIds(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  if (!isProxyPath(request.url)) {
    const correlation = request.headers['x-correlation-id'];
    void reply.header('X-Request-ID', request.id);
    void reply.header('X-Correlation-ID', isSaneId(correlation) ? correlation : randomUUID());
  }
  done();
}
