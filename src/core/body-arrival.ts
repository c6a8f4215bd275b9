import type { IncomingMessage } from 'node:http';

/**
 * Whether a request has a body that has not fully arrived yet. node:http parses the rest of the packet the
 * headers came in only after the promises of the current tick, so right after the headers this can be true of
 * a body that is already there: look again after `setImmediate` before concluding that the client is still
 * sending. An injected request (light-my-request) has no `complete` and its body is all there.
 */
export function bodyStillArriving(req: IncomingMessage): boolean {
  if ((req as { complete?: boolean }).complete !== false) return false;
  const length = req.headers['content-length'];
  return length !== undefined ? length !== '0' : req.headers['transfer-encoding'] !== undefined;
}
