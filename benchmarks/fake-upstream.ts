/**
 * A fast fake OpenAI upstream for the benchmarks, run as its own process:
 *
 *   npx tsx benchmarks/fake-upstream.ts [--port 0] [--api-key sk-…] [--sse-chunks 5] [--sse-delay-ms 0]
 *
 * `POST /v1/chat/completions` answers a fixed ~400-byte completion, or an SSE stream when the body has
 * `"stream": true`; `GET /v1/models` a small list. Prints `{"ready":true,"port":…}` when listening.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import { integerOption, portOption } from './lib/cli-options.js';
import { createFakeOpenAi } from './lib/fake-openai.js';
import { UPSTREAM_API_KEY } from './lib/scenarios.js';
import { serveOnLoopback } from './lib/serve.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'api-key': { type: 'string', default: UPSTREAM_API_KEY },
    'sse-chunks': { type: 'string', default: '5' },
    'sse-delay-ms': { type: 'string', default: '0' },
  },
});

const server = createServer(
  createFakeOpenAi({
    apiKey: values['api-key'],
    sseChunks: integerOption('sse-chunks', values['sse-chunks'], 1, 1000),
    sseDelayMs: integerOption('sse-delay-ms', values['sse-delay-ms'], 0, 10_000),
  }),
);
await serveOnLoopback(server, { name: 'fake-upstream', port: portOption(values.port) });
