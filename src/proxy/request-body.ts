import type { IncomingMessage } from 'node:http';

import { AppError, ERRORS } from '../core/index.js';
import type { ProviderConfig } from '../config/index.js';
import { findParamViolation, isJsonContentType } from './param-whitelist.js';
import { readBody } from './read-body.js';

const BODILESS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS']);

/**
 * The body to send upstream: JSON is read (bounded) so the param whitelist can be checked; anything else —
 * multipart uploads, audio, files — streams straight through without being buffered. With a whitelist, bodies
 * without a content type or with a text one are read like JSON too, so a mislabelled JSON body cannot slip past
 * it; multipart form fields are not checked.
 */
export async function requestBody(
  req: IncomingMessage,
  method: string,
  provider: ProviderConfig,
  limit: number,
): Promise<Buffer | IncomingMessage | null> {
  const length = req.headers['content-length'];
  const hasBody = length !== undefined ? length !== '0' : req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return BODILESS.has(method) ? null : Buffer.alloc(0);
  const whitelist = provider.paramWhitelist;
  const checked = Object.keys(whitelist).length > 0;
  const contentType = req.headers['content-type'];
  const json = isJsonContentType(contentType);
  if (!json && !(checked && isUnlabelledOrText(contentType))) return req;
  const body = await readBody(req, limit);
  if (!checked) return body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    if (!json) return body;
    throw new AppError(ERRORS.INVALID_JSON_BODY);
  }
  const violation = findParamViolation(parsed, whitelist);
  if (violation !== undefined) {
    throw new AppError(ERRORS.PARAM_NOT_ALLOWED, {
      message: `Parameter '${violation.field}' value '${violation.value}' is not allowed. Allowed patterns: [${violation.patterns.join(' ')}]`,
    });
  }
  return body;
}

function isUnlabelledOrText(contentType: string | undefined): boolean {
  return contentType === undefined || contentType.trimStart().toLowerCase().startsWith('text/');
}
