import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { inject } from 'light-my-request';
import OpenAI from 'openai';

import { resolveConfig } from '../../src/config/index.js';
import type { Config } from '../../src/config/index.js';
import type { Clock } from '../../src/core/index.js';
import type { EventPublisher } from '../../src/events/index.js';
import type { ExchangeObserver, ResponseTap } from '../../src/proxy/index.js';
import type { RedisClients } from '../../src/redis/index.js';
import { startGateway } from '../../src/server/index.js';
import type { Gateway, ServerExtension } from '../../src/server/index.js';
import type { DialectName, Store, TokenRecord } from '../../src/store/index.js';
import type { InvalidationBus } from '../../src/tokens/index.js';
import { anthropicScript, startFakeUpstream } from './fake-upstream.js';
import type { FakeUpstream } from './fake-upstream.js';
import { LogCapture, captureLogger } from './log-capture.js';
import { AUTH, MANAGEMENT_TOKEN, createToken, issueToken } from './management.js';
import type { CreatedToken, IssueOptions, IssuedToken, Manager } from './management.js';
import { writeProviderFile } from './provider-file.js';
import { createTestStore } from './test-store.js';

/** Options of {@link startTestGateway}. */
export interface TestGatewayOptions {
  /** Database of a fresh test store. @default 'sqlite' */
  readonly dialect?: DialectName;
  /** A migrated store to use instead of a fresh one (shared by several gateways); its owner closes it. */
  readonly store?: Store;
  /** Configuration variables on top of the harness's (MAX_REQUEST_SIZE, AUDIT_STORE_IN_DB …). */
  readonly env?: Readonly<Record<string, string>>;
  /** Keys merged into the `openai` provider of the provider file (timeouts, param_whitelist …). */
  readonly openai?: Readonly<Record<string, unknown>>;
  /** Further providers of the provider file, by name. */
  readonly providers?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Clock of the gateway (token expiry, circuit cooldown, audit timestamps, /health). */
  readonly clock?: Clock;
  /** Response taps of the proxy, outermost first. */
  readonly taps?: readonly ResponseTap[];
  /** Where request events go; its owner closes it. */
  readonly eventPublisher?: EventPublisher;
  /** Exchange observers after the metrics. */
  readonly observers?: readonly ExchangeObserver[];
  /** The gateway's invalidation bus; its owner closes it. @default the gateway's in-process bus */
  readonly invalidation?: InvalidationBus;
  /** Redis connections for the gateway's bus; their owner closes them. */
  readonly redis?: RedisClients;
  /** Further Fastify routes. */
  readonly extensions?: readonly ServerExtension[];
  /** Listen on 127.0.0.1:0 (streaming, aborts, connection counts, SDK clients need a socket). @default true */
  readonly listen?: boolean;
}

/** Request options of {@link TestGateway.proxy} and {@link TestGateway.injectProxy}. */
export type ProxyInit = RequestInit & {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
};

/**
 * A whole gateway, built by `startGateway` as the CLI builds it, in front of two fake upstreams (`openai`, the
 * default provider, with Bearer auth; `anthropic` with `x-api-key`), on a fresh migrated store, with its logs
 * captured and its audit file in a temp folder.
 */
export interface TestGateway extends Manager {
  /** `http://127.0.0.1:<port>`; only when listening. */
  readonly url: string;
  readonly gateway: Gateway;
  readonly store: Store;
  readonly config: Config;
  readonly logs: LogCapture;
  /** The upstream of the `openai` provider. */
  readonly upstream: FakeUpstream;
  /** The upstream of the `anthropic` provider. */
  readonly anthropic: FakeUpstream;
  /** The JSONL audit file (in a temp folder, created on first write). */
  readonly auditFile: string;
  /** Any request to the Fastify app (probes, `/manage`, metrics), as given. */
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** An authenticated management request (injected); an object body is sent as JSON. */
  manage(method: string, path: string, body?: unknown): Promise<LightMyRequestResponse>;
  /** Creates a project (unique name) and one token for it. */
  issueToken(options?: IssueOptions): Promise<IssuedToken>;
  /** Creates one more token for a project (60 minutes unless `extra` says otherwise). */
  createToken(projectId: string, extra?: Record<string, unknown>): Promise<CreatedToken>;
  /** The token's record as the database holds it now. */
  tokenRecord(tokenId: string): Promise<TokenRecord>;
  /** An OpenAI SDK client that uses the proxy token like an OpenAI key (over the socket). */
  openai(token: string): OpenAI;
  /** A request to the gateway over its socket, with fetch. */
  proxy(path: string, init?: ProxyInit): Promise<Response>;
  /**
   * A request handed to the gateway's node:http listener without a socket (light-my-request), read back as a
   * fetch Response; for answers that need no streaming, abort or connection. The body must be text or bytes.
   */
  injectProxy(path: string, init?: ProxyInit): Promise<Response>;
  /** How many connections the gateway's socket holds open. */
  connections(): Promise<number>;
  /**
   * Closes client connections that are idle (between requests, or spare ones fetch opened without using
   * them); what stays open afterwards is a connection with a request the proxy never finished.
   */
  dropIdleClients(): void;
  /** Lines of the JSONL audit file, parsed (after flushing the recorder). */
  auditFileLines(): Promise<Record<string, unknown>[]>;
  /** Closes the gateway, then the store (unless it was given), the upstreams and the temp folder. */
  close(): Promise<void>;
}

/** Starts a {@link TestGateway}. */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const upstream = await startFakeUpstream();
  const anthropic = await startFakeUpstream(anthropicScript);
  const dir = mkdtempSync(join(tmpdir(), 'llm-proxy-gateway-'));
  const auditFile = join(dir, 'nested', 'audit.log');
  const config = resolveConfig({
    env: {
      MANAGEMENT_TOKEN,
      API_CONFIG_PATH: writeProviderFile(dir, {
        openaiUrl: upstream.url,
        anthropicUrl: anthropic.url,
        ...(options.openai !== undefined && { openai: options.openai }),
        ...(options.providers !== undefined && { providers: options.providers }),
      }),
      DATABASE_PATH: ':memory:',
      AUDIT_ENABLED: 'true',
      AUDIT_LOG_FILE: auditFile,
      AUDIT_CREATE_DIR: 'true',
      AUDIT_STORE_IN_DB: 'true',
      LOG_LEVEL: 'debug',
      ...options.env,
    },
  });
  const testStore =
    options.store === undefined
      ? await createTestStore(options.dialect ?? 'sqlite')
      : { store: options.store, cleanup: () => Promise.resolve() };
  const logs = new LogCapture();
  const releaseRest = async (): Promise<void> => {
    await testStore.cleanup();
    await upstream.close();
    await anthropic.close();
    rmSync(dir, { recursive: true, force: true });
  };
  let gateway: Gateway;
  try {
    gateway = await startGateway(config, {
      store: testStore.store,
      logger: captureLogger(logs),
      ...(options.clock !== undefined && { clock: options.clock }),
      ...(options.taps !== undefined && { taps: options.taps }),
      ...(options.eventPublisher !== undefined && { eventPublisher: options.eventPublisher }),
      ...(options.observers !== undefined && { observers: options.observers }),
      ...(options.invalidation !== undefined && { invalidation: options.invalidation }),
      ...(options.redis !== undefined && { redis: options.redis }),
      ...(options.extensions !== undefined && { extensions: options.extensions }),
    });
  } catch (error) {
    await releaseRest();
    throw error;
  }
  const { app } = gateway;
  const url = options.listen === false ? '' : await app.listen({ port: 0, host: '127.0.0.1' });
  const onSocket = (what: string): string => {
    if (url === '') throw new Error(`${what} needs a socket: start the test gateway with listen: true`);
    return url;
  };

  const sockets = new Set<Socket>();
  const carriedRequest = new WeakSet<Socket>();
  app.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  app.server.on('request', (req: { socket: Socket }) => carriedRequest.add(req.socket));
  const dropIdleClients = (): void => {
    // fetch opens spare connections that never carry a request (after an abort, for instance), which the
    // server would otherwise wait for until they time out.
    for (const socket of sockets) if (!carriedRequest.has(socket)) socket.destroy();
    app.server.closeIdleConnections();
  };

  const harness: TestGateway = {
    url,
    gateway,
    store: testStore.store,
    config,
    logs,
    upstream,
    anthropic,
    auditFile,
    inject: (injectOptions) => app.inject(injectOptions),
    manage: (method, path, body) =>
      app.inject({
        method: method as InjectOptions['method'],
        url: path,
        headers: AUTH,
        ...(body === undefined ? {} : { payload: body as InjectOptions['payload'] }),
      }),
    issueToken: (issue) => issueToken(harness, issue),
    createToken: (projectId, extra) => createToken(harness, projectId, extra),
    async tokenRecord(tokenId) {
      const record = await testStore.store.tokens.get(tokenId);
      if (record === undefined) throw new Error(`no token ${tokenId}`);
      return record;
    },
    openai: (token) =>
      new OpenAI({ apiKey: token, baseURL: `${onSocket('openai()')}/v1`, maxRetries: 0, timeout: 20_000 }),
    proxy(path, init = {}) {
      const { token, headers, ...rest } = init;
      return fetch(`${onSocket('proxy()')}${path}`, { ...rest, headers: withToken(headers, token) });
    },
    injectProxy: (path, init = {}) => injectIntoListener(gateway, path, init),
    connections: () =>
      new Promise((resolve, reject) => {
        app.server.getConnections((error: Error | null, count: number) => {
          if (error) reject(error);
          else resolve(count);
        });
      }),
    dropIdleClients,
    async auditFileLines() {
      await gateway.audit.flush();
      return readFileSync(auditFile, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    async close() {
      dropIdleClients();
      await gateway.close();
      await releaseRest();
    },
  };
  return harness;
}

function withToken(headers: RequestInit['headers'], token: string | undefined): Headers {
  const merged = new Headers(headers);
  if (token !== undefined) merged.set('authorization', `Bearer ${token}`);
  return merged;
}

/** Statuses whose response has no body (a fetch Response refuses one). */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

async function injectIntoListener(gateway: Gateway, path: string, init: ProxyInit): Promise<Response> {
  const { token, headers, body, method } = init;
  if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw new Error('injectProxy sends text or bytes; use proxy() for streams and forms');
  }
  const injected = await inject(gateway.handleRequest, {
    method: (method ?? 'GET') as InjectOptions['method'],
    url: path,
    headers: Object.fromEntries(withToken(headers, token)),
    ...(body !== undefined && body !== null && { payload: Buffer.from(body) }),
  });
  const responseHeaders = new Headers();
  for (const [name, value] of Object.entries(injected.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) responseHeaders.append(name, String(one));
  }
  return new Response(NULL_BODY_STATUSES.has(injected.statusCode) ? null : injected.rawPayload, {
    status: injected.statusCode,
    statusText: injected.statusMessage,
    headers: responseHeaders,
  });
}
