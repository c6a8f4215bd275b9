import type { ErrorFormat } from '../config/index.js';
import type { AppError } from '../core/index.js';
import { anthropicErrorBody } from './anthropic-error.js';
import { openAiErrorBody } from './openai-error.js';
import type { LocalAnswer } from './taps/local-answer.js';

/** The body of a proxy error in the shape the route's clients understand. */
export function proxyErrorBody(error: AppError, format: ErrorFormat): string {
  return format === 'anthropic' ? anthropicErrorBody(error) : openAiErrorBody(error);
}

/** A proxy error as a local answer: JSON in the route's error shape, with the error's own headers. */
export function proxyErrorAnswer(error: AppError, format: ErrorFormat): LocalAnswer {
  const body = Buffer.from(proxyErrorBody(error, format));
  return {
    status: error.statusCode,
    headers: {
      ...error.headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(body.length),
    },
    chunks: [body],
  };
}

/**
 * The last event of an SSE stream whose upstream failed midway: OpenAI clients read an `error` object from a
 * `data:` line; Anthropic's streams carry errors as an `event: error` whose data is the error body.
 */
export function streamErrorEvent(error: AppError, format: ErrorFormat): Buffer {
  if (format === 'anthropic') return Buffer.from(`event: error\ndata: ${anthropicErrorBody(error)}\n\n`);
  return Buffer.from(`data: ${openAiErrorBody(error)}\n\n`);
}
