import type { IncomingHttpHeaders } from 'node:http';

import { AppError, ERRORS } from '../../core/index.js';
import type { ProviderConfig } from '../../config/index.js';
import { findParamViolation, isJsonContentType } from '../param-whitelist.js';
import { contentCodings, decodeBody } from './content-encoding.js';
import { multipartFields, urlEncodedFields } from './form-fields.js';
import type { FormFields } from './form-fields.js';
import { repeatedTopLevelKey } from './json-keys.js';
import { parseMediaType } from './media-type.js';
import type { MediaType } from './media-type.js';

const UTF8_CHARSETS = new Set(['utf-8', 'utf8', 'us-ascii']);
/** Types whose body is one JSON value per line (OpenAI batch input files are JSONL). */
const JSON_LINES = new Set([
  'application/jsonl',
  'application/x-jsonl',
  'application/jsonlines',
  'application/x-jsonlines',
  'application/ndjson',
  'application/x-ndjson',
]);
// `fatal`: bytes that are not UTF-8 are refused, not replaced; the BOM is stripped (WHATWG Encoding §4.2).
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const CHECKED_KEYS = new WeakMap<ProviderConfig, ReadonlySet<string>>();

/** A body that passed the param whitelist: the bytes to forward, and whether they were decoded. */
export interface CheckedBody {
  readonly bytes: Buffer;
  /** The Content-Encoding was undone: the upstream gets the plain bytes that were checked. */
  readonly decoded: boolean;
}

/** Receives the checked body, or the error that refuses it. */
export type CheckedCallback = (error: unknown, body: CheckedBody | undefined) => void;

/**
 * Checks a body that was read against the provider's `param_whitelist`, failing closed: whatever the
 * upstream might read as parameters is decoded and checked — JSON (also unlabelled, `text/*`, octet-stream,
 * with a byte-order mark), JSON lines, urlencoded and multipart forms, each under gzip, deflate or br — and
 * a body that cannot be checked (another encoding or charset, an ambiguous Content-Type, something that is
 * neither JSON nor a form) is refused rather than passed. A checked key that occurs twice is refused too.
 */
export function checkRequestBody(
  raw: Buffer,
  headers: IncomingHttpHeaders,
  provider: ProviderConfig,
  limit: number,
  done: CheckedCallback,
): void {
  let codings: readonly string[];
  let media: MediaType | undefined;
  try {
    codings = contentCodings(headers['content-encoding']);
    media = mediaTypeOf(headers['content-type']);
    if (codings.length === 0) {
      inspect(raw, media, headers['content-type'], provider);
      done(undefined, { bytes: raw, decoded: false });
      return;
    }
  } catch (error) {
    done(error, undefined);
    return;
  }
  decodeBody(raw, codings, limit, (error, decoded) => {
    if (error !== undefined || decoded === undefined) {
      done(error, undefined);
      return;
    }
    try {
      inspect(decoded, media, headers['content-type'], provider);
    } catch (failure) {
      done(failure, undefined);
      return;
    }
    done(undefined, { bytes: decoded, decoded: true });
  });
}

function mediaTypeOf(header: string | undefined): MediaType | undefined {
  if (header === undefined) return undefined;
  const media = parseMediaType(header);
  if (media === undefined) {
    throw notCheckable(`Content-Type '${header.slice(0, 80)}' is not one media type`);
  }
  const charset = media.params.get('charset');
  if (charset !== undefined && !UTF8_CHARSETS.has(charset.toLowerCase())) {
    throw notCheckable(`charset '${charset.slice(0, 40)}' is not UTF-8`);
  }
  return media;
}

function inspect(
  bytes: Buffer,
  media: MediaType | undefined,
  contentType: string | undefined,
  provider: ProviderConfig,
): void {
  const keys = checkedKeys(provider);
  const type = media?.type;
  if (type === 'multipart/form-data') {
    checkFields(multipartFields(bytes, media?.params.get('boundary') ?? '', keys), provider);
    return;
  }
  if (type === 'application/x-www-form-urlencoded') {
    checkFields(
      urlEncodedFields(
        textOf(bytes, () => invalidForm()),
        keys,
      ),
      provider,
    );
    return;
  }
  const jsonLabelled = contentType === undefined || isJsonContentType(contentType);
  const refusal = (): AppError =>
    jsonLabelled
      ? new AppError(ERRORS.INVALID_JSON_BODY)
      : notCheckable(`a ${type ?? ''} body that is not JSON, a form or multipart cannot be checked`);
  const text = textOf(bytes, refusal);
  if (type !== undefined && JSON_LINES.has(type)) {
    for (const line of text.split('\n')) if (line.trim() !== '') checkJsonText(line, provider, keys, refusal);
    return;
  }
  checkJsonText(text, provider, keys, refusal);
}

function checkJsonText(
  text: string,
  provider: ProviderConfig,
  keys: ReadonlySet<string>,
  refusal: () => AppError,
): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw refusal();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AppError(ERRORS.INVALID_JSON_BODY, {
      message: 'request body must be a JSON object for param_whitelist to be checked',
    });
  }
  const fields = value as Record<string, unknown>;
  for (const key of keys) {
    if (key in fields) {
      const repeated = repeatedTopLevelKey(text, keys);
      if (repeated !== undefined) throw duplicate(repeated);
      break;
    }
  }
  throwOnViolation(fields, provider);
}

function checkFields(fields: FormFields, provider: ProviderConfig): void {
  const flat: Record<string, string> = {};
  for (const [name, values] of fields) {
    if (values.length > 1) throw duplicate(name);
    flat[name] = values[0] as string;
  }
  throwOnViolation(flat, provider);
}

function throwOnViolation(fields: Record<string, unknown>, provider: ProviderConfig): void {
  const violation = findParamViolation(fields, provider.paramWhitelist);
  if (violation !== undefined) {
    throw new AppError(ERRORS.PARAM_NOT_ALLOWED, {
      message: `Parameter '${violation.field}' value '${violation.value}' is not allowed. Allowed patterns: [${violation.patterns.join(' ')}]`,
    });
  }
}

function textOf(bytes: Buffer, refusal: () => AppError): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw refusal();
  }
}

function checkedKeys(provider: ProviderConfig): ReadonlySet<string> {
  let keys = CHECKED_KEYS.get(provider);
  if (keys === undefined) {
    keys = new Set(Object.keys(provider.paramWhitelist));
    CHECKED_KEYS.set(provider, keys);
  }
  return keys;
}

function duplicate(name: string): AppError {
  return new AppError(ERRORS.DUPLICATE_PARAM, {
    message: `Parameter '${name}' occurs more than once; param_whitelist checks exactly one value`,
  });
}

function invalidForm(): AppError {
  return new AppError(ERRORS.INVALID_FORM_BODY, { message: 'request body is not a valid form: not UTF-8' });
}

function notCheckable(reason: string): AppError {
  return new AppError(ERRORS.UNCHECKABLE_BODY, {
    message: `request body cannot be checked against param_whitelist: ${reason}`,
  });
}
