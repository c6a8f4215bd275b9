import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import OpenAI from 'openai';
import pino from 'pino';
import { stringify } from 'yaml';

import { createAuditRecorder } from '../../src/audit/index.js';
import { resolveConfig } from '../../src/config/index.js';
import type { Config } from '../../src/config/index.js';
import type { Clock } from '../../src/core/index.js';
import type { ExchangeObserver, ResponseTap } from '../../src/proxy/index.js';
import { createGateway } from '../../src/server/index.js';
import type { Gateway } from '../../src/server/index.js';
import type { DialectName, Store, TokenRecord } from '../../src/store/index.js';
import type { InvalidationBus } from '../../src/tokens/index.js';
import { sendJson, startFakeUpstream } from '../helpers/fake-upstream.js';
import type { FakeUpstream, UpstreamScript } from '../helpers/fake-upstream.js';
import { createTestStore } from '../helpers/test-store.js';
import { LogCapture, MANAGEMENT_TOKEN } from '../server/test-app.js';

export { MANAGEMENT_TOKEN };

/** The Authorization header of management requests. */
export const MANAGE_AUTH = { authorization: `Bearer ${MANAGEMENT_TOKEN}` };

/** Endpoints the test `openai` provider serves. */
const OPENAI_ENDPOINTS = [
  '/v1/chat/completions',
  '/v1/completions',
  '/v1/embeddings',
  '/v1/models',
  '/v1/files',
  '/v1/audio/transcriptions',
];

/** Options of {@link startProxyHarness}. */
export interface ProxyHarnessOptions {
  /** @default 'sqlite' */
  readonly dialect?: DialectName;
  /** Further configuration variables (MAX_REQUEST_SIZE, CIRCUIT_BREAKER_THRESHOLD …). */
  readonly env?: Readonly<Record<string, string>>;
  /** Keys merged into the `openai` provider of the provider file (timeouts, param_whitelist …). */
  readonly openai?: Readonly<Record<string, unknown>>;
  /** Further providers of the provider file, by name. */
  readonly providers?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Clock of the gateway (token expiry, circuit cooldown). */
  readonly clock?: Clock;
  /** Response taps of the proxy, outermost first. */
  readonly taps?: readonly ResponseTap[];
  /** Exchange observers after the metrics. */
  readonly observers?: readonly ExchangeObserver[];
  /** A migrated store to use instead of a fresh one (shared by several gateways); its owner closes it. */
  readonly store?: Store;
  /** The gateway's invalidation bus; its owner closes it. @default the gateway's in-process bus */
  readonly invalidation?: InvalidationBus;
}

/** A project and one of its tokens, created through the management API. */
export interface IssuedToken {
  readonly projectId: string;
  readonly apiKey: string;
  readonly tokenId: string;
  readonly token: string;
}

/** A gateway listening on a real socket in front of fake upstreams, with management helpers. */
export interface ProxyHarness {
  /** `http://127.0.0.1:<port>` of the gateway. */
  readonly url: string;
  /** The upstream of the `openai` provider. */
  readonly upstream: FakeUpstream;
  /** The upstream of the `anthropic` provider. */
  readonly anthropic: FakeUpstream;
  readonly gateway: Gateway;
  readonly store: Store;
  readonly config: Config;
  readonly logs: LogCapture;
  /** A management API call over HTTP; objects are sent as JSON. */
  manage(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** Creates a project (unique name) and one token for it. */
  issueToken(options?: IssueOptions): Promise<IssuedToken>;
  /** Creates one more token for a project. */
  createToken(projectId: string, extra?: Record<string, unknown>): Promise<{ id: string; token: string }>;
  /** The token's record as the database holds it now. */
  tokenRecord(tokenId: string): Promise<TokenRecord>;
  /** An OpenAI SDK client that uses the proxy token like an OpenAI key. */
  openai(token: string): OpenAI;
  /** A raw request to the gateway; `token` becomes `Authorization: Bearer <token>`. */
  proxy(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
  /** How many connections the gateway's socket holds open. */
  connections(): Promise<number>;
  /**
   * Closes client connections that are idle (between requests, or spare ones fetch opened without using
   * them); what stays open afterwards is a connection with a request the proxy never finished.
   */
  dropIdleClients(): void;
  close(): Promise<void>;
}

/** Options of {@link ProxyHarness.issueToken}. */
export interface IssueOptions {
  readonly provider?: string;
  readonly apiKey?: string;
  /** Extra fields of `POST /manage/tokens` (`max_requests`, `duration_minutes`). */
  readonly token?: Record<string, unknown>;
}

let projectCounter = 0;

/**
 * Starts two fake upstreams (`openai` with Bearer auth, `anthropic` with `x-api-key`), writes a provider file
 * pointing at them, and starts the whole gateway on a migrated test store, listening on 127.0.0.1:0 — the
 * `/v1` handler sits in front of Fastify's routing, so only a real socket reaches it.
 */
export async function startProxyHarness(options: ProxyHarnessOptions = {}): Promise<ProxyHarness> {
  const upstream = await startFakeUpstream();
  const anthropic = await startFakeUpstream();
  anthropic.script(anthropicScript);
  const dir = mkdtempSync(join(tmpdir(), 'llm-proxy-proxy-'));
  const providersPath = join(dir, 'api_providers.yaml');
  writeFileSync(
    providersPath,
    stringify({
      default_api: 'openai',
      apis: {
        openai: openAiLikeProvider(upstream.url, options.openai),
        anthropic: {
          base_url: anthropic.url,
          auth: { header: 'x-api-key', scheme: '' },
          allowed_endpoints: ['/v1/messages', '/v1/models'],
          allowed_methods: ['GET', 'POST', 'OPTIONS'],
        },
        ...options.providers,
      },
    }),
  );
  const config = resolveConfig({
    env: {
      MANAGEMENT_TOKEN,
      API_CONFIG_PATH: providersPath,
      AUDIT_LOG_FILE: '',
      DATABASE_PATH: ':memory:',
      LOG_LEVEL: 'debug',
      ...options.env,
    },
  });
  const testStore =
    options.store === undefined
      ? await createTestStore(options.dialect ?? 'sqlite')
      : { store: options.store, cleanup: () => Promise.resolve() };
  const logs = new LogCapture();
  const logger = pino({ level: 'debug' }, logs);
  const audit = createAuditRecorder({ config: config.audit, store: testStore.store, logger });
  const gateway = await createGateway({
    config,
    store: testStore.store,
    logger,
    audit,
    ...(options.clock !== undefined && { clock: options.clock }),
    ...(options.taps !== undefined && { taps: options.taps }),
    ...(options.observers !== undefined && { observers: options.observers }),
    ...(options.invalidation !== undefined && { invalidation: options.invalidation }),
  });
  const url = await gateway.app.listen({ port: 0, host: '127.0.0.1' });
  const sockets = new Set<Socket>();
  const carriedRequest = new WeakSet<Socket>();
  gateway.app.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  gateway.app.server.on('request', (req: { socket: Socket }) => carriedRequest.add(req.socket));
  const dropIdleClients = (): void => {
    // fetch opens spare connections that never carry a request (after an abort, for instance), which the
    // server would otherwise wait for until they time out.
    for (const socket of sockets) if (!carriedRequest.has(socket)) socket.destroy();
    gateway.app.server.closeIdleConnections();
  };

  const manage: ProxyHarness['manage'] = async (method, path, body) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...MANAGE_AUTH,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  };
  const createToken: ProxyHarness['createToken'] = async (projectId, extra = {}) => {
    const created = await manage('POST', '/manage/tokens', {
      project_id: projectId,
      duration_minutes: 60,
      ...extra,
    });
    if (created.status !== 201) throw new Error(`token create failed: ${JSON.stringify(created.body)}`);
    return created.body as { id: string; token: string };
  };

  return {
    url,
    upstream,
    anthropic,
    gateway,
    store: testStore.store,
    config,
    logs,
    manage,
    createToken,
    async issueToken(issue = {}) {
      projectCounter += 1;
      const apiKey = issue.apiKey ?? `sk-upstream-key-${String(projectCounter)}-${randomSuffix()}`;
      const project = await manage('POST', '/manage/projects', {
        name: `proxy-project-${String(projectCounter)}-${randomSuffix()}`,
        api_key: apiKey,
        ...(issue.provider !== undefined && { provider: issue.provider }),
      });
      if (project.status !== 201) throw new Error(`project create failed: ${JSON.stringify(project.body)}`);
      const projectId = (project.body as { id: string }).id;
      const token = await createToken(projectId, issue.token);
      return { projectId, apiKey, tokenId: token.id, token: token.token };
    },
    async tokenRecord(tokenId) {
      const record = await testStore.store.tokens.get(tokenId);
      if (record === undefined) throw new Error(`no token ${tokenId}`);
      return record;
    },
    openai: (token) => new OpenAI({ apiKey: token, baseURL: `${url}/v1`, maxRetries: 0, timeout: 20_000 }),
    proxy(path, init = {}) {
      const { token, headers, ...rest } = init;
      const merged = new Headers(headers);
      if (token !== undefined) merged.set('authorization', `Bearer ${token}`);
      return fetch(`${url}${path}`, { ...rest, headers: merged });
    },
    connections: () =>
      new Promise((resolve, reject) => {
        gateway.app.server.getConnections((error, count) => {
          if (error) reject(error);
          else resolve(count);
        });
      }),
    dropIdleClients,
    async close() {
      dropIdleClients();
      await gateway.close();
      await testStore.cleanup();
      await upstream.close();
      await anthropic.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A provider definition like the test `openai` one, at another upstream. */
export function openAiLikeProvider(
  baseUrl: string,
  extra: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  return {
    base_url: baseUrl,
    auth: { header: 'Authorization', scheme: 'Bearer' },
    allowed_endpoints: OPENAI_ENDPOINTS,
    allowed_methods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    ...extra,
  };
}

/** A chat completion request body. */
export function chatBody(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...extra });
}

/** JSON request headers for a raw proxy call. */
export const JSON_HEADERS = { 'content-type': 'application/json' };

/** The OpenAI-shaped error body the proxy answers with. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; code: string; param: null };
}

/** Reads a proxy error response, checking that it is OpenAI-shaped JSON. */
export async function errorOf(response: Response): Promise<OpenAiErrorBody['error']> {
  expectJson(response.headers.get('content-type'));
  const body = (await response.json()) as OpenAiErrorBody;
  return body.error;
}

function expectJson(contentType: string | null): void {
  if (contentType?.startsWith('application/json') !== true) {
    throw new Error(`expected a JSON error, got content-type ${String(contentType)}`);
  }
}

/** A port nothing listens on (bound once, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return port;
}

/** A promise and its resolver, to let a scripted upstream wait for the test. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Waits until the response has closed (finished or destroyed by the other side). */
export function closed(res: ServerResponse): Promise<void> {
  if (res.destroyed || res.writableFinished) return Promise.resolve();
  return new Promise((resolve) =>
    res.once('close', () => {
      resolve();
    }),
  );
}

/**
 * Streams SSE chat chunks every `intervalMs` until `count` were sent (then `[DONE]`) or the connection closed;
 * a slow upstream generation.
 */
export async function slowStream(
  res: ServerResponse,
  count: number,
  intervalMs: number,
  headers: OutgoingHttpHeaders = {},
): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
  for (let index = 0; index < count; index += 1) {
    if (res.destroyed) return;
    res.write(`data: ${JSON.stringify(chunk(`w${String(index)} `))}\n\n`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  if (!res.destroyed) res.end('data: [DONE]\n\n');
}

/** One chat.completion.chunk carrying a piece of content. */
export function chunk(content: string): Record<string, unknown> {
  return {
    id: 'chatcmpl-slow',
    object: 'chat.completion.chunk',
    created: 1700000000,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  };
}

/** Headers of a recorded upstream request, as one lower-cased text (to look for leaked secrets). */
export function headerText(headers: IncomingHttpHeaders): string {
  return JSON.stringify(headers).toLowerCase();
}

/** A response read by {@link rawRequest}. */
export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * A request over node:http, for what fetch refuses to send: hop-by-hop headers (`Connection`, `TE`,
 * `Keep-Alive` …) and paths with dot segments, which fetch would normalise away.
 */
export function rawRequest(
  baseUrl: string,
  options: { method: string; path: string; headers?: OutgoingHttpHeaders; body?: string },
): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: hostname,
        port,
        method: options.method,
        path: options.path,
        headers: options.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (data: Buffer) => chunks.push(data));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    try {
      req.end(options.body);
    } catch (error) {
      req.destroy();
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

/** Answers like the Anthropic Messages API. */
const anthropicScript: UpstreamScript = (request, res) => {
  if (request.method === 'POST' && request.url === '/v1/messages') {
    sendJson(res, 200, {
      id: 'msg_fake',
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text', text: 'Hello from the fake Anthropic' }],
      model: 'claude-test',
      stop_reason: 'end_turn',
    });
    return;
  }
  sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: 'unknown' } });
};

function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 8);
}
