import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach } from 'vitest';

import { issueToken as issueProjectToken, managementOverHttp } from '../helpers/management.js';
import { freePort } from '../helpers/network.js';

/** The built command line (`npm test` builds it before the tests run). */
export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** What a finished CLI run printed and how it ended. */
export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** How to run the CLI. */
export interface RunOptions {
  /** Variables on top of a minimal environment (PATH and HOME only); undefined removes one. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /** Written to standard input, which is then closed. */
  readonly input?: string;
  /** @default 20000 */
  readonly timeoutMs?: number;
}

/**
 * A minimal environment, so that the developer's own MANAGEMENT_TOKEN or DATABASE_URL never leaks in. Under
 * `npm run test:coverage` it also tells Node where the child writes its coverage, which the test process's own
 * coverage does not see.
 */
export function cliEnv(extra: Readonly<Record<string, string | undefined>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const base = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_V8_COVERAGE: process.env.LLM_PROXY_CHILD_COVERAGE_DIR,
  };
  for (const [name, value] of Object.entries({ ...base, ...extra })) {
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** Spawns `node dist/cli/main.js …` without waiting for it. */
export function spawnCli(args: readonly string[], options: RunOptions = {}): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: cliEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs the CLI to completion. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  const child = spawnCli(args, options);
  child.stdin?.end(options.input ?? '');
  return collect(child, options.timeoutMs ?? 20_000);
}

/** Waits for a spawned CLI to end and returns what it printed. */
export function collect(child: ChildProcess, timeoutMs = 20_000): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A temp folder and its removal. */
export function tempDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'llm-proxy-cli-'));
  return {
    path,
    remove: () => {
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/**
 * A function that makes a fresh temporary directory, every one of which is removed after each test. Call it at
 * the top of a test file.
 */
export function tempDirPerTest(): () => string {
  const dirs: ReturnType<typeof tempDir>[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) dir.remove();
  });
  return () => {
    const dir = tempDir();
    dirs.push(dir);
    return dir.path;
  };
}

/** A `llm-proxy server` child process that answers /health. */
export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Everything printed so far. */
  output(): { stdout: string; stderr: string };
  /** Sends a signal and waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<CliResult>;
}

/** Options of {@link startServer}. */
export interface StartServerOptions {
  /** Folder the server runs in (its .env, data and audit log go there). */
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly args?: readonly string[];
  readonly port?: number;
}

/** Starts `llm-proxy server` on 127.0.0.1 with its state in `cwd` and waits until /health answers. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const port = options.port ?? (await freePort());
  const child = spawnCli(['server', ...(options.args ?? [])], {
    cwd: options.cwd,
    env: {
      LISTEN_ADDR: `127.0.0.1:${port}`,
      DATABASE_PATH: join(options.cwd, 'data', 'llm-proxy.db'),
      AUDIT_LOG_FILE: join(options.cwd, 'data', 'audit.log'),
      LOG_LEVEL: 'warn',
      ...options.env,
    },
  });
  // A server lives as long as its test file, which on a loaded machine can take minutes.
  const done = collect(child, 600_000);
  let ended: CliResult | undefined;
  void done.then((result) => {
    ended = result;
  });
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.on('data', (chunk: string) => (stderr += chunk));
  for (;;) {
    if (ended !== undefined) {
      throw new Error(
        `server exited (${String(ended.code)}) before answering\n${ended.stdout}\n${ended.stderr}`,
      );
    }
    if (Date.now() - started > 20_000) {
      child.kill('SIGKILL');
      throw new Error(`server did not answer /health within 20 s\n${stdout}\n${stderr}`);
    }
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    port,
    child,
    output: () => ({ stdout, stderr }),
    async stop(signal = 'SIGTERM') {
      if (ended === undefined) child.kill(signal);
      return done;
    },
  };
}

/** Calls the management API directly, to check what the CLI did; the body parsed. */
export async function api(
  server: { url: string },
  token: string,
  method: string,
  path: string,
): Promise<{ status: number; body: unknown }> {
  const response = await managementOverHttp(server.url, token).manage(method, path);
  return {
    status: response.statusCode,
    body: response.body === '' ? undefined : (JSON.parse(response.body) as unknown),
  };
}

/** Writes a provider file whose `openai` provider serves chat completions from the given upstream. */
export function writeChatProviderFile(dir: string, upstreamUrl: string): string {
  const path = join(dir, 'providers.yaml');
  writeFileSync(
    path,
    [
      'default_api: openai',
      'apis:',
      '  openai:',
      `    base_url: ${upstreamUrl}`,
      '    allowed_endpoints: [/v1/chat/completions]',
      '    allowed_methods: [POST]',
      '',
    ].join('\n'),
  );
  return path;
}

/** Creates a project holding the given provider key and a token for it; returns the token. */
export async function issueToken(
  serverUrl: string,
  managementToken: string,
  apiKey: string,
): Promise<string> {
  return (await issueProjectToken(managementOverHttp(serverUrl, managementToken), { apiKey })).token;
}
