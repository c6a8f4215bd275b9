import type { FastifyReply, FastifyRequest } from 'fastify';

const MAX_HEADER_FACT_LENGTH = 512;
const MAX_IP_LENGTH = 64;

/** What a route learns about its request for the audit event, filled in as the handler goes. */
export interface RequestAuditState {
  projectId?: string | undefined;
  /** Masked token preview; never the secret. */
  tokenId?: string | undefined;
  reason?: string | undefined;
  errorCode?: string | undefined;
  readonly details: Record<string, unknown>;
}

/** Where the request came from, as recorded in audit events. */
export interface RequestFacts {
  readonly requestId: string;
  readonly correlationId: string | undefined;
  readonly clientIp: string | undefined;
  readonly method: string;
  readonly path: string;
  readonly userAgent: string | undefined;
  /** The browser's referer as the admin UI forwards it (`X-Forwarded-Referer`). */
  readonly referer: string | undefined;
  /** Whether the admin UI marked the call as its own (`X-Admin-Origin: 1`). */
  readonly fromAdminUi: boolean;
}

const states = new WeakMap<FastifyRequest, RequestAuditState>();

/** The audit state of a request, created on first use. */
export function auditStateOf(request: FastifyRequest): RequestAuditState {
  let state = states.get(request);
  if (!state) {
    state = { details: {} };
    states.set(request, state);
  }
  return state;
}

/** Request facts for the audit trail (all bounded in length; headers are client-controlled). */
export function requestFacts(request: FastifyRequest, reply: FastifyReply): RequestFacts {
  return {
    requestId: request.id,
    // The value echoed to the client (set by the server), else the client's own.
    correlationId: bounded(
      headerText(reply.getHeader('x-correlation-id') ?? request.headers['x-correlation-id']),
    ),
    clientIp: clientIp(request),
    method: request.method,
    path: request.url.split('?', 1)[0] ?? request.url,
    userAgent: bounded(
      headerText(request.headers['x-forwarded-user-agent']) ?? headerText(request.headers['user-agent']),
    ),
    referer: bounded(headerText(request.headers['x-forwarded-referer'])),
    fromAdminUi: headerText(request.headers['x-admin-origin'])?.trim() === '1',
  };
}

/** First `X-Forwarded-For` entry, else `X-Real-IP`, else the peer address (the original's rule). */
export function clientIp(request: FastifyRequest): string | undefined {
  const forwarded = headerText(request.headers['x-forwarded-for'])?.split(',', 1)[0]?.trim();
  const ip = forwarded || headerText(request.headers['x-real-ip'])?.trim() || request.socket.remoteAddress;
  return ip ? ip.slice(0, MAX_IP_LENGTH) : undefined;
}

function headerText(value: unknown): string | undefined {
  if (Array.isArray(value)) return headerText(value[0]);
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function bounded(value: string | undefined): string | undefined {
  return value?.slice(0, MAX_HEADER_FACT_LENGTH);
}
