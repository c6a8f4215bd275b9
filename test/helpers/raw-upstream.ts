import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

/** What a misbehaving upstream does once a request head has arrived. */
export type RawBehaviour = (socket: Socket) => void;

/**
 * An upstream that misbehaves below HTTP (never answers, stalls after the head …), written on raw TCP because
 * an HTTP server cannot be told to; it counts the connections it holds so tests can see the proxy let go.
 */
export interface RawUpstream {
  readonly url: string;
  /** Request heads received so far. */
  readonly requests: number;
  /** Connections currently open. */
  connections(): Promise<number>;
  close(): Promise<void>;
}

/** Never answers: accepts the connection, reads the request and stays silent. */
export const silent: RawBehaviour = () => undefined;

/** Sends SSE response headers and one event, then stalls without closing. */
export const stallAfterFirstEvent: RawBehaviour = (socket) => {
  const event = 'data: {"choices":[{"index":0,"delta":{"content":"first"}}]}\n\n';
  socket.write(
    'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n' +
      `${Buffer.byteLength(event).toString(16)}\r\n${event}\r\n`,
  );
};

/** Starts a raw upstream on 127.0.0.1 and an ephemeral port. */
export async function startRawUpstream(behaviour: RawBehaviour): Promise<RawUpstream> {
  let requests = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let head = '';
    const onData = (data: Buffer) => {
      head += data.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      socket.resume();
      requests += 1;
      behaviour(socket);
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    get requests() {
      return requests;
    },
    connections: () =>
      new Promise((resolve, reject) => {
        server.getConnections((error, count) => {
          if (error) reject(error);
          else resolve(count);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** Resets the connection (TCP RST) as soon as the request head has arrived. */
export const resetAfterHead: RawBehaviour = (socket) => {
  socket.resetAndDestroy();
};

/** Answers the request with bytes that are not HTTP. */
export const invalidHttp: RawBehaviour = (socket) => {
  socket.end('this is not HTTP\r\n\r\n');
};
