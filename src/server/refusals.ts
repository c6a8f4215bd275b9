import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

import { AppError, ERRORS } from '../core/index.js';
import type { ErrorDefinition } from '../core/index.js';
import { openAiErrorBody } from '../proxy/index.js';

/** Node's client error codes and the catalog entries they are answered with; anything else is a 400. */
const CLIENT_ERRORS: Readonly<Record<string, ErrorDefinition>> = {
  ERR_HTTP_REQUEST_TIMEOUT: ERRORS.REQUEST_TIMEOUT,
  HPE_HEADER_OVERFLOW: ERRORS.HEADERS_TOO_LARGE,
};

/**
 * Refuses a request before anything reads it (a connection or in-flight limit): the catalog's error in the
 * shape of the request's surface — OpenAI's on `/v1`, `{"error","code"}` elsewhere — with `Retry-After`, and
 * `Connection: close` so that the connection is not kept waiting for a body nobody reads.
 */
export function refuseRequest(req: IncomingMessage, res: ServerResponse, refusal: ErrorDefinition): void {
  const error = new AppError(refusal);
  const url = req.url ?? '';
  const body =
    url.startsWith('/v1/') || url === '/v1' || url.startsWith('/v1?')
      ? openAiErrorBody(error)
      : JSON.stringify({ error: error.message, code: error.code });
  res.writeHead(error.statusCode, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'retry-after': '1',
    connection: 'close',
  });
  res.end(body);
}

/**
 * Answers what node:http reports before a request exists — headers or a whole request that took too long
 * (408), headers too large (431), a malformed request (400) — with the catalog's `{"error","code"}` JSON, then
 * closes the connection. The path is not known yet, so every surface gets this shape.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection, or one the server destroyed itself (a body cut for being too slow): nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const definition = CLIENT_ERRORS[error.code ?? ''] ?? ERRORS.BAD_REQUEST;
  // Never in the middle of a response that has begun (a streamed upload whose upstream already answered).
  const response = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && response?.headersSent !== true) {
    const body = JSON.stringify({ error: definition.message, code: definition.code });
    socket.write(
      `HTTP/1.1 ${String(definition.status)} ${statusText(definition.status)}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${String(Buffer.byteLength(body))}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy();
}

function statusText(status: number): string {
  if (status === 408) return 'Request Timeout';
  if (status === 431) return 'Request Header Fields Too Large';
  return 'Bad Request';
}
