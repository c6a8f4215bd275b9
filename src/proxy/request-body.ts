import type { IncomingMessage } from 'node:http';

import { AppError, ERRORS } from '../core/index.js';
import type { ProviderConfig } from '../config/index.js';
import { findParamViolation, isJsonContentType } from './param-whitelist.js';

const BODILESS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS']);
const EMPTY = Buffer.alloc(0);
const SEND_NOTHING: BodyPlan = { kind: 'send', body: null };
const SEND_EMPTY: BodyPlan = { kind: 'send', body: EMPTY };
/** The read plans, by [json][checked]: shared because planning runs on every request. */
const READ_PLANS = {
  json: {
    checked: { kind: 'read', json: true, checked: true },
    unchecked: { kind: 'read', json: true, checked: false },
  },
  other: {
    checked: { kind: 'read', json: false, checked: true },
    unchecked: { kind: 'read', json: false, checked: false },
  },
} as const;

/**
 * How a request's body travels: JSON is read (bounded) so the param whitelist can be checked; anything else —
 * multipart uploads, audio, files — streams straight through without being buffered. With a whitelist, bodies
 * without a content type or with a text one are read like JSON too, so a mislabelled JSON body cannot slip past
 * it; multipart form fields are not checked.
 */
export type BodyPlan =
  | { readonly kind: 'send'; readonly body: Buffer | IncomingMessage | null }
  | { readonly kind: 'read'; readonly json: boolean; readonly checked: boolean };

/** Decides how the body of a request is handled, without reading it. */
export function planBody(req: IncomingMessage, method: string, provider: ProviderConfig): BodyPlan {
  const length = req.headers['content-length'];
  const hasBody = length !== undefined ? length !== '0' : req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return BODILESS.has(method) ? SEND_NOTHING : SEND_EMPTY;
  const checked = provider.hasParamWhitelist;
  const contentType = req.headers['content-type'];
  const json = isJsonContentType(contentType);
  if (!json && !(checked && isUnlabelledOrText(contentType))) return { kind: 'send', body: req };
  const plans = json ? READ_PLANS.json : READ_PLANS.other;
  return checked ? plans.checked : plans.unchecked;
}

/** Applies the param whitelist to a body that was read; throws `param_not_allowed` or `invalid_json`. */
export function checkBody(
  body: Buffer,
  plan: { json: boolean; checked: boolean },
  provider: ProviderConfig,
): void {
  if (!plan.checked) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    if (!plan.json) return;
    throw new AppError(ERRORS.INVALID_JSON_BODY);
  }
  const violation = findParamViolation(parsed, provider.paramWhitelist);
  if (violation !== undefined) {
    throw new AppError(ERRORS.PARAM_NOT_ALLOWED, {
      message: `Parameter '${violation.field}' value '${violation.value}' is not allowed. Allowed patterns: [${violation.patterns.join(' ')}]`,
    });
  }
}

function isUnlabelledOrText(contentType: string | undefined): boolean {
  return contentType === undefined || contentType.trimStart().toLowerCase().startsWith('text/');
}
