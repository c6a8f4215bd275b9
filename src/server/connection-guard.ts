import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

import { ERRORS } from '../core/index.js';
import type { ErrorDefinition } from '../core/index.js';

/** What one client address, and everyone together, may hold; 0 switches a limit off. */
export interface ConnectionLimits {
  /** Open connections in all (MAX_CONNECTIONS). */
  readonly maxConnections: number;
  /** Open connections of one client address (MAX_CONNECTIONS_PER_CLIENT). */
  readonly maxConnectionsPerClient: number;
  /** Requests in progress from one client address, streams included (MAX_IN_FLIGHT_PER_CLIENT). */
  readonly maxInFlightPerClient: number;
}

interface ClientCounts {
  readonly address: string;
  connections: number;
  inFlight: number;
}

/**
 * Counts the server's connections and requests in progress by client address — the socket's peer address:
 * `X-Forwarded-For` can be written by anyone and is not trusted — so that no client can hold the server
 * hostage. A connection past a limit is not dropped in silence: its first request is refused with the
 * catalog's 429 or 503 (which HTTP clients understand and retry later) and the connection is closed.
 */
export class ConnectionGuard {
  private readonly clients = new Map<string, ClientCounts>();
  private readonly countsOf = new WeakMap<Socket, ClientCounts>();
  private readonly refusals = new WeakMap<Socket, ErrorDefinition>();
  private open = 0;

  constructor(private readonly limits: ConnectionLimits) {}

  /** Counts the connections of a server from now on. */
  attach(server: Server): void {
    server.on('connection', this.onConnection);
  }

  /** Open connections of one client address (for tests and diagnostics). */
  connectionsOf(address: string): number {
    return this.clients.get(address)?.connections ?? 0;
  }

  /**
   * Admits a request, or says which limit refuses it. An admitted request counts as in progress until its
   * response has closed (finished, or its connection gone).
   */
  admit(req: IncomingMessage, res: ServerResponse): ErrorDefinition | undefined {
    const { socket } = req;
    const refusal = this.refusals.get(socket);
    if (refusal !== undefined) return refusal;
    const counts = this.countsOf.get(socket);
    // A request without a counted socket (an injected one) has nothing to count against.
    if (counts === undefined) return undefined;
    const { maxInFlightPerClient } = this.limits;
    if (maxInFlightPerClient > 0 && counts.inFlight >= maxInFlightPerClient) {
      return ERRORS.TOO_MANY_REQUESTS_IN_FLIGHT;
    }
    counts.inFlight += 1;
    res.once('close', () => {
      counts.inFlight -= 1;
      this.forgetIfIdle(counts);
    });
    return undefined;
  }

  private readonly onConnection = (socket: Socket): void => {
    const address = socket.remoteAddress ?? '';
    let counts = this.clients.get(address);
    if (counts === undefined) {
      counts = { address, connections: 0, inFlight: 0 };
      this.clients.set(address, counts);
    }
    this.open += 1;
    counts.connections += 1;
    this.countsOf.set(socket, counts);
    const { maxConnections, maxConnectionsPerClient } = this.limits;
    if (maxConnections > 0 && this.open > maxConnections) {
      this.refusals.set(socket, ERRORS.SERVER_BUSY);
    } else if (maxConnectionsPerClient > 0 && counts.connections > maxConnectionsPerClient) {
      this.refusals.set(socket, ERRORS.TOO_MANY_CONNECTIONS);
    }
    const closed = counts;
    socket.once('close', () => {
      this.open -= 1;
      closed.connections -= 1;
      this.forgetIfIdle(closed);
    });
  };

  private forgetIfIdle(counts: ClientCounts): void {
    if (counts.connections > 0 || counts.inFlight > 0) return;
    // Only the current entry of the address: a newer one may have replaced it.
    if (this.clients.get(counts.address) === counts) this.clients.delete(counts.address);
  }
}
