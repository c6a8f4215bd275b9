/**
 * The baseline every Node proxy is measured against, run as its own process:
 *
 *   npx tsx benchmarks/minimal-proxy.ts --upstream http://127.0.0.1:<port> [--port 0] [--api-key sk-…]
 *
 * node:http + one undici Pool (keep-alive, pipelining 1): forwards method, path, headers and body, replaces
 * the Authorization header, strips hop-by-hop headers and streams the answer back. No auth, no logging.
 * Prints `{"ready":true,"port":…}` when listening.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import { Pool } from 'undici';

import { portOption } from './lib/cli-options.js';
import { createPassThrough } from './lib/pass-through.js';
import { UPSTREAM_API_KEY } from './lib/scenarios.js';
import { serveOnLoopback } from './lib/serve.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    upstream: { type: 'string' },
    'api-key': { type: 'string', default: UPSTREAM_API_KEY },
  },
});
if (values.upstream === undefined) throw new Error('--upstream <origin> is required');

const upstream = new Pool(values.upstream, {
  pipelining: 1,
  keepAliveTimeout: 60_000,
  keepAliveMaxTimeout: 600_000,
});
const server = createServer(createPassThrough({ upstream, apiKey: values['api-key'] }));
await serveOnLoopback(server, {
  name: 'minimal-proxy',
  port: portOption(values.port),
  onClose: () => upstream.close(),
});
