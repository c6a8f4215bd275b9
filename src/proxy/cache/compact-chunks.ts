/**
 * A captured body copied into one buffer of its exact size, to be kept in the cache. A chunk as read from a
 * socket is a view of a far larger buffer (tens of KiB), which an entry holding it would keep alive — measured:
 * several times the bytes the store counts, and the garbage collector's work with them. A stream keeps its
 * chunks apart, as views of the one buffer, so that it replays chunk by chunk; any other body is one chunk.
 */
export function compactChunks(chunks: readonly Buffer[], stream: boolean): Buffer[] {
  let total = 0;
  for (const chunk of chunks) total += chunk.length;
  // Not from the shared pool: a pooled slice would keep its whole slab alive, the waste this avoids.
  const whole = Buffer.allocUnsafeSlow(total);
  let at = 0;
  const views: Buffer[] = [];
  for (const chunk of chunks) {
    chunk.copy(whole, at);
    if (stream) views.push(whole.subarray(at, at + chunk.length));
    at += chunk.length;
  }
  return stream ? views : [whole];
}
