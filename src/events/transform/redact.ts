import { isRecord } from './json-values.js';

/** What a redacted secret is replaced with. */
export const REDACTED = '[REDACTED]';

// Key names compared in lower case; exact names, so that `max_tokens` or `prompt_tokens` stay.
const SECRET_KEYS = new Set([
  'api_key',
  'apikey',
  'api-key',
  'x-api-key',
  'authorization',
  'password',
  'secret',
  'client_secret',
  'access_token',
  'refresh_token',
  'token',
]);

// Provider and proxy keys (`sk-…`, `sk-proj-…`, `sk-ant-…`) and bearer credentials inside any text.
const KEY_SHAPES = /(?<![\w-])sk-(?:ant-[\w-]{8,}|[\w-]{20,})|\b(bearer)\s+[\w.~+/=-]{8,}/gi;
// The shortest text KEY_SHAPES matches (`sk-ant-` or `bearer ` and 8 characters): shorter strings are skipped.
const MIN_SHAPE_LENGTH = 15;
// Key names of other lengths cannot name a secret, which spares lower-casing every key of a body.
const MIN_KEY_LENGTH = Math.min(...[...SECRET_KEYS].map((key) => key.length));
const MAX_KEY_LENGTH = Math.max(...[...SECRET_KEYS].map((key) => key.length));

// Deeper than any real API body: beyond it a subtree is replaced, which also keeps recursion off the stack limit.
const MAX_DEPTH = 64;
const TOO_DEEP = '[REDACTED: nested too deep]';

/** Replaces provider keys, proxy tokens and bearer credentials found inside a text. */
export function redactText(text: string): string {
  if (text.length < MIN_SHAPE_LENGTH) return text;
  return text.replace(KEY_SHAPES, (_match, bearer: string | undefined) =>
    bearer === undefined ? REDACTED : `${bearer} ${REDACTED}`,
  );
}

/**
 * A copy of a decoded JSON value with secrets redacted: values of keys that name secrets (`api_key`,
 * `authorization`, `password`, `token` …) and key-shaped parts of every string. Unchanged parts are shared, not
 * copied, and a value without secrets comes back as the same object.
 */
export function redactSecrets(value: unknown): unknown {
  return redactValue(value, 0);
}

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) {
    const items: readonly unknown[] = value;
    let copy: unknown[] | undefined;
    for (let index = 0; index < items.length; index += 1) {
      const item = items[index];
      const redacted = redactValue(item, depth + 1);
      if (redacted === item) continue;
      copy ??= [...items];
      copy[index] = redacted;
    }
    return copy ?? items;
  }
  if (!isRecord(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const item = value[key];
    const redacted = isSecretEntry(key, item, value) ? REDACTED : redactValue(item, depth + 1);
    if (redacted === item) continue;
    copy ??= { ...value };
    copy[key] = redacted;
  }
  return copy ?? value;
}

function isSecretEntry(key: string, item: unknown, owner: Record<string, unknown>): boolean {
  // A flag (`"secret": false`) or an empty value reveals nothing.
  if (item === null || typeof item === 'boolean') return false;
  if (key.length < MIN_KEY_LENGTH || key.length > MAX_KEY_LENGTH) return false;
  const name = key.toLowerCase();
  if (!SECRET_KEYS.has(name)) return false;
  // Log probabilities name each generated token `token` next to its `logprob`: that is text, not a credential.
  return !(name === 'token' && 'logprob' in owner);
}
