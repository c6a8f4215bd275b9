import { notModifiedHeaders } from '../../cache/index.js';
import type { CachedResponse } from '../../cache/index.js';
import type { LocalAnswer } from '../taps/local-answer.js';
import type { ResponseHeaders } from '../taps/tap.js';

const NO_CHUNKS: readonly Buffer[] = [];

/**
 * A stored answer as a local answer: its status, its headers with `Age` (a new object: the stored one is
 * shared by every hit), and its chunks — none for a HEAD request.
 */
export function cachedAnswer(entry: CachedResponse, ageSeconds: number, head: boolean): LocalAnswer {
  const headers = { ...entry.headers, age: String(ageSeconds) } as ResponseHeaders;
  return { status: entry.status, headers, chunks: head ? NO_CHUNKS : entry.chunks };
}

/** The 304 that answers a conditional request its stored answer satisfies (RFC 9110 §15.4.5). */
export function notModifiedAnswer(entry: CachedResponse, ageSeconds: number): LocalAnswer {
  const headers: ResponseHeaders = { ...notModifiedHeaders(entry.headers), age: String(ageSeconds) };
  return { status: 304, headers, chunks: NO_CHUNKS };
}
