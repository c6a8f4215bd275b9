import { Type } from '@sinclair/typebox';

import { parseByteSize, parseDuration, parseListenAddress } from '../parse-values.js';
import { variable } from '../variable-declaration.js';

/** The `server` and `connections` sections: where the server listens, its management secret and what one client may hold. */
export const SERVER_VARIABLES = {
  MANAGEMENT_TOKEN: variable({
    section: 'server',
    schema: Type.String(),
    default: undefined,
    secret: true,
    description:
      'Bearer secret for /manage/*. When no source sets it, the first `server` start generates one, stores it in the dotenv file (mode 0600) and prints it once.',
  }),
  MANAGEMENT_AUTH_MAX_FAILURES: variable({
    section: 'server',
    schema: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
    default: 10,
    description:
      'Wrong management tokens one client address may send within `MANAGEMENT_AUTH_LOCKOUT`; after that it is answered 429 `too_many_auth_failures` with `Retry-After` until the window ends. 0 turns the limit off.',
  }),
  MANAGEMENT_AUTH_LOCKOUT: variable({
    section: 'server',
    schema: Type.Integer({ minimum: 1000 }),
    parse: parseDuration,
    default: 900_000,
    defaultText: '15m',
    description:
      "The window of that count: it starts with an address's first wrong token, and a locked-out address waits until it ends.",
  }),
  MANAGEMENT_AUTH_FAILURE_DELAY: variable({
    section: 'server',
    schema: Type.Integer({ minimum: 0, maximum: 10_000 }),
    parse: parseDuration,
    default: 250,
    defaultText: '250ms',
    description: 'How long every wrong management token waits before it is answered 401.',
  }),
  LISTEN_ADDR: variable({
    section: 'server',
    schema: Type.Object({ host: Type.String(), port: Type.Integer({ minimum: 0, maximum: 65535 }) }),
    parse: parseListenAddress,
    default: { host: '', port: 8080 },
    defaultText: ':8080',
    description: 'Address the server listens on (`:8080`, `127.0.0.1:8080`, `[::1]:8080`).',
  }),
  REQUEST_HEADERS_TIMEOUT: variable({
    section: 'connections',
    schema: Type.Integer({ minimum: 1000 }),
    parse: parseDuration,
    default: 20_000,
    defaultText: '20s',
    description:
      'Time a client may take to send the request line and headers (at least `1s`); past it the client gets 408 `request_timeout` and the connection is closed.',
  }),
  REQUEST_BODY_TIMEOUT: variable({
    section: 'connections',
    schema: Type.Integer({ minimum: 0 }),
    parse: parseDuration,
    default: 300_000,
    defaultText: '5m',
    description:
      'Time within which a whole request, headers and body, must have arrived (408 `request_timeout`, connection closed). Only the request: a response may stream for as long as it takes. `0`: no limit.',
  }),
  REQUEST_BODY_MIN_RATE: variable({
    section: 'connections',
    schema: Type.Integer({ minimum: 0 }),
    parse: parseByteSize,
    default: 1024,
    defaultText: '1KiB',
    description:
      'Bytes per second a `/v1` request body must keep arriving at, measured over successive `REQUEST_BODY_RATE_GRACE` periods; slower, it is cut (408 `request_body_too_slow`). `0`: no minimum.',
  }),
  REQUEST_BODY_RATE_GRACE: variable({
    section: 'connections',
    schema: Type.Integer({ minimum: 100 }),
    parse: parseDuration,
    default: 10_000,
    defaultText: '10s',
    description:
      'The period over which that rate is measured: a body must bring `REQUEST_BODY_MIN_RATE` × this much in each one (10 KiB in 10 s by default), the first starting when the proxy begins to read it.',
  }),
  MAX_CONNECTIONS: variable({
    section: 'connections',
    schema: Type.Integer({ minimum: 0 }),
    default: 10_000,
    description:
      'Open connections the server accepts in all; requests on connections past it get 503 `server_busy` and the connection is closed.',
  }),
  MAX_CONNECTIONS_PER_CLIENT: variable({
    section: 'connections',
    schema: Type.Integer({ minimum: 0 }),
    default: 1000,
    description:
      "Open connections one client address may hold (the socket's peer address; `X-Forwarded-For` is not trusted); past it 429 `too_many_connections` and close.",
  }),
  MAX_IN_FLIGHT_PER_CLIENT: variable({
    section: 'connections',
    schema: Type.Integer({ minimum: 0 }),
    default: 512,
    description:
      'Requests one client address may have in progress at once, streams included; past it 429 `too_many_requests_in_flight` and close.',
  }),
};
