import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { spawnManaged } from './child-process.js';
import type { ManagedChild } from './child-process.js';
import { freePort } from './free-port.js';
import { fetchText, issueBenchToken } from './manage-api.js';
import { UPSTREAM_API_KEY } from './scenarios.js';
import type { RunnerKind, ServerCommand } from './server-runner.js';

const HEALTH_POLL_MS = 100;
/** Environment passed through to the server; everything else it reads is set here explicitly. */
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'TMPDIR', 'TZ'];

/** Options for {@link startLlmProxy}. */
export interface LlmProxyOptions {
  /** Names the process in progress and error messages. @default 'llm-proxy' */
  readonly name?: string;
  /** A fresh directory for the database, audit log and provider file. */
  readonly workDir: string;
  readonly upstreamOrigin: string;
  /** How to run it (see `prepareServerCommand`). */
  readonly command: ServerCommand;
  readonly startTimeoutMs: number;
  /** Settings added to the server's environment (e.g. the response cache's), over the benchmark's own. */
  readonly env?: Readonly<Record<string, string>>;
}

/** A running llm-proxy with a project and a token ready for `/v1`. */
export interface LlmProxyInstance {
  readonly child: ManagedChild;
  readonly origin: string;
  /** The llm-proxy token clients present. */
  readonly token: string;
  readonly runner: RunnerKind;
  readonly runnerReason: string;
}

/** Thrown when llm-proxy starts but does not proxy `/v1` yet (the wiring is missing or broken). */
export class ProxyNotServingError extends Error {
  override readonly name = 'ProxyNotServingError';
}

/**
 * Starts `llm-proxy server` against the fake upstream with a throw-away SQLite database, waits for `/health`,
 * creates a project and an unlimited token through `/manage`, and checks that `/v1/models` is proxied.
 */
export async function startLlmProxy(options: LlmProxyOptions): Promise<LlmProxyInstance> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const managementToken = randomBytes(24).toString('base64url');
  const providersPath = join(options.workDir, 'providers.yaml');
  writeFileSync(providersPath, providersYaml(options.upstreamOrigin));
  // A dotenv file named with --env must exist; the settings come from the environment below.
  const envFile = join(options.workDir, 'bench.env');
  writeFileSync(envFile, '');
  const { command } = options;
  const child = spawnManaged({
    name: options.name ?? 'llm-proxy',
    command: process.execPath,
    args: [...command.args, '--env', envFile],
    cwd: options.workDir,
    env: {
      ...inheritedEnv(),
      LISTEN_ADDR: `127.0.0.1:${port}`,
      MANAGEMENT_TOKEN: managementToken,
      DATABASE_PATH: join(options.workDir, 'bench.db'),
      AUDIT_LOG_FILE: join(options.workDir, 'audit.log'),
      // BENCH_LOG_LEVEL=info measures the servers with their per-request access log on.
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      API_CONFIG_PATH: providersPath,
      ...options.env,
    },
  });
  await waitForHealth(child, origin, options.startTimeoutMs);
  const token = await issueBenchToken(origin, managementToken, UPSTREAM_API_KEY);
  const models = await fetchText(`${origin}/v1/models`, { headers: { authorization: `Bearer ${token}` } });
  if (models.status !== 200) {
    throw new ProxyNotServingError(
      `${child.name} answered GET /v1/models with HTTP ${models.status}: ${models.body.slice(0, 300)}`,
    );
  }
  return { child, origin, token, runner: command.kind, runnerReason: command.reason };
}

/** The provider file: the `openai` provider pointed at the fake upstream. */
function providersYaml(upstreamOrigin: string): string {
  return [
    'default_api: openai',
    'apis:',
    '  openai:',
    `    base_url: ${upstreamOrigin}`,
    '    allowed_endpoints: [/v1/chat/completions, /v1/models]',
    '    allowed_methods: [GET, POST]',
    '',
  ].join('\n');
}

function inheritedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of INHERITED_ENV) if (process.env[name] !== undefined) env[name] = process.env[name];
  return env;
}

async function waitForHealth(child: ManagedChild, origin: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exited()) throw new Error(`${child.name} exited during startup:\n${child.output()}`);
    try {
      if ((await fetchText(`${origin}/health`)).status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
  }
  throw new Error(`${child.name} did not answer /health within ${timeoutMs} ms:\n${child.output()}`);
}
