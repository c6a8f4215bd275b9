import type { IncomingMessage } from 'node:http';

import { AppError, ERRORS } from '../core/index.js';

/**
 * Reads a request body into memory, refusing (413) before reading when Content-Length is over the limit and
 * while reading when the body grows past it.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(tooLarge(limit));
  }
  // Past the limit the rest of the body is not read: the 413 closes the connection instead.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      // After 'end' no more events come: the listeners need no removal.
      resolve(chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function tooLarge(limit: number): AppError {
  return new AppError(ERRORS.PAYLOAD_TOO_LARGE, {
    message: `request body is larger than MAX_REQUEST_SIZE (${limit} bytes)`,
    headers: { connection: 'close' },
  });
}
