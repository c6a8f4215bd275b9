import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

import type { AppError } from '../core/index.js';

/** The `type` field OpenAI clients expect for each status class. */
function errorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'proxy_error';
  return 'invalid_request_error';
}

/** The body of a proxy error in the OpenAI shape, which every OpenAI SDK parses. */
export function openAiErrorBody(error: AppError): string {
  return JSON.stringify({
    error: { message: error.message, type: errorType(error.statusCode), param: null, code: error.code },
  });
}

/** Answers a proxy error: OpenAI-shaped JSON, the error's own headers and the given extra headers. */
export function sendProxyError(res: ServerResponse, error: AppError, extra: OutgoingHttpHeaders): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = openAiErrorBody(error);
  res.writeHead(error.statusCode, {
    ...extra,
    ...error.headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
