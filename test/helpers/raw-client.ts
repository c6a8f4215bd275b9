import { connect } from 'node:net';
import type { Socket } from 'node:net';

/** A client connection on a plain TCP socket: it sends exactly the bytes it is given, as slowly as told. */
export interface RawClient {
  readonly socket: Socket;
  /** Everything received so far, as text. */
  received(): string;
  write(text: string): void;
  /** Resolves once the server has closed the connection (or it was reset), with the text received. */
  readonly closed: Promise<string>;
  /** Waits until the text received contains `text`; rejects after `timeoutMs`. */
  waitFor(text: string, timeoutMs?: number): Promise<string>;
  destroy(): void;
}

/** Options of {@link openRawClient}. */
export interface RawClientOptions {
  /** Source address, e.g. `127.0.0.2` (every 127.0.0.0/8 address reaches the loopback on Linux). */
  readonly localAddress?: string;
}

/** Opens a TCP connection to an `http://host:port` URL. */
export function openRawClient(url: string, options: RawClientOptions = {}): Promise<RawClient> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: hostname,
      port: Number(port),
      ...(options.localAddress !== undefined && { localAddress: options.localAddress }),
    });
    let text = '';
    const waiters = new Set<() => void>();
    socket.setEncoding('utf8');
    socket.on('data', (data: string) => {
      text += data;
      for (const wake of waiters) wake();
    });
    const closed = new Promise<string>((resolveClosed) => {
      socket.on('close', () => {
        for (const wake of waiters) wake();
        resolveClosed(text);
      });
    });
    // A reset is a close too: the tests look at what arrived and when.
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve({
        socket,
        received: () => text,
        write: (chunk) => {
          if (!socket.destroyed) socket.write(chunk);
        },
        closed,
        waitFor: (expected, timeoutMs = 5000) =>
          new Promise((resolveWait, rejectWait) => {
            const check = (): void => {
              if (text.includes(expected)) {
                done();
                resolveWait(text);
              } else if (socket.destroyed) {
                done();
                rejectWait(new Error(`connection closed before ${JSON.stringify(expected)}: ${text}`));
              }
            };
            const timer = setTimeout(() => {
              done();
              rejectWait(new Error(`no ${JSON.stringify(expected)} within ${String(timeoutMs)} ms: ${text}`));
            }, timeoutMs);
            const done = (): void => {
              clearTimeout(timer);
              waiters.delete(check);
            };
            waiters.add(check);
            check();
          }),
        destroy: () => socket.destroy(),
      });
    });
    socket.once('error', reject);
  });
}

/** The head of an HTTP/1.1 request (request line, headers, blank line). */
export function requestHead(
  method: string,
  path: string,
  headers: Readonly<Record<string, string>> = {},
): string {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: llm-proxy.test'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** The status code and the JSON body of the first response in a raw exchange. */
export function parseRawResponse(text: string): {
  status: number;
  headers: string;
  body: unknown;
} {
  const headEnd = text.indexOf('\r\n\r\n');
  const head = headEnd === -1 ? text : text.slice(0, headEnd);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
  const rest = headEnd === -1 ? '' : text.slice(headEnd + 4);
  const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? rest.length);
  const raw = rest.slice(0, length);
  let body: unknown = raw;
  try {
    body = JSON.parse(raw);
  } catch {
    // Not JSON: the text as it came.
  }
  return { status, headers: head.toLowerCase(), body };
}
