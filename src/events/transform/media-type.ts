/** How a body is to be read, judged from its `Content-Type` alone. */
export type MediaFamily = 'multipart' | 'binary' | 'json' | 'sse' | 'other';

const BINARY_TOP_LEVELS = new Set(['audio', 'image', 'video']);
const BINARY_TYPES = new Set(['application/octet-stream', 'application/pdf']);

/** The family of a `Content-Type` value (parameters such as `charset` are ignored). */
export function mediaFamily(contentType: string | null): MediaFamily {
  if (contentType === null) return 'other';
  const type = (contentType.split(';', 1)[0] ?? '').trim().toLowerCase();
  const slash = type.indexOf('/');
  const top = slash === -1 ? type : type.slice(0, slash);
  if (top === 'multipart') return 'multipart';
  if (BINARY_TOP_LEVELS.has(top) || BINARY_TYPES.has(type)) return 'binary';
  if (type === 'text/event-stream') return 'sse';
  // application/json, application/problem+json, application/vnd.api+json …
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  return 'other';
}
