import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';

import { CliError, usageError } from '../shared/cli-error.js';
import { httpUrl } from '../shared/http-url.js';
import { nonEmpty, wholeNumber } from '../shared/option-parsers.js';
import type { BenchmarkPlan } from './benchmark-runner.js';

const DEFAULT_CACHE_TTL_SECONDS = 86_400;
const DEFAULT_TIMEOUT_SECONDS = 60;
// Every sample is kept in memory until the report; this keeps a typo from eating it all.
const MAX_REQUESTS = 10_000_000;
const MAX_CONCURRENCY = 10_000;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

interface BenchmarkFlags {
  baseUrl: string;
  endpoint: string;
  token?: string;
  tokenEnv: string;
  requests: number;
  concurrency: number;
  json?: string;
  method: string;
  debug?: boolean;
  cache?: boolean;
  cacheTtl: number;
  timeout: number;
  output: 'table' | 'json';
}

/** Adds `llm-proxy benchmark`. */
export function registerBenchmarkCommand(program: Command): void {
  program
    .command('benchmark')
    .description('send a fixed number of requests through the proxy and report throughput and latency')
    .requiredOption('--base-url <url>', 'base URL of the proxy, e.g. http://localhost:8080', httpUrl)
    .requiredOption('--endpoint <path>', 'endpoint path, e.g. /v1/chat/completions', endpointPath)
    .option('--token <token>', 'llm-proxy token (else read from the variable named by --token-env)')
    .option('--token-env <name>', 'environment variable holding the token', nonEmpty, 'PROXY_TOKEN')
    .option('-r, --requests <n>', 'number of requests to send', wholeNumber(1, MAX_REQUESTS), 1)
    .option('-c, --concurrency <n>', 'requests in flight at once', wholeNumber(1, MAX_CONCURRENCY), 1)
    .option('--json <body>', 'JSON request body (POST, PUT, PATCH); sets Content-Type: application/json')
    .option('--method <method>', 'HTTP method', httpMethod, 'POST')
    .option('--debug', 'print one request and response per status code on stderr (Authorization redacted)')
    .option('--cache', 'send Cache-Control: public, max-age=<--cache-ttl>')
    .option(
      '--cache-ttl <seconds>',
      'max-age of --cache (implies --cache)',
      wholeNumber(0),
      DEFAULT_CACHE_TTL_SECONDS,
    )
    .option(
      '--timeout <seconds>',
      'longest a request may take before it counts as a network error',
      wholeNumber(1, 86_400),
      DEFAULT_TIMEOUT_SECONDS,
    )
    .addOption(
      new Option('--output <format>', 'report as a table or as one JSON object')
        .choices(['table', 'json'])
        .default('table'),
    )
    .action(async (flags: BenchmarkFlags, command: Command) => {
      const plan = benchmarkPlan(flags, command.getOptionValueSource('cacheTtl') === 'cli');
      const { runBenchmarkCommand } = await import('./run-benchmark.js');
      await runBenchmarkCommand(plan, {
        output: flags.output,
        cacheRequested: plan.headers['cache-control'] !== undefined,
      });
    });
}

function benchmarkPlan(flags: BenchmarkFlags, cacheTtlGiven: boolean): BenchmarkPlan {
  const token = (flags.token ?? process.env[flags.tokenEnv] ?? '').trim();
  if (token === '') {
    throw new CliError(`a token is required: pass --token or set ${flags.tokenEnv}`);
  }
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (flags.json !== undefined) {
    if (!BODY_METHODS.has(flags.method)) {
      throw usageError(`--json needs --method POST, PUT or PATCH, not ${flags.method}`);
    }
    try {
      JSON.parse(flags.json);
    } catch (error) {
      throw usageError(`--json: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    headers['content-type'] = 'application/json';
  }
  if (flags.cache === true || cacheTtlGiven) headers['cache-control'] = `public, max-age=${flags.cacheTtl}`;
  const base = new URL(flags.baseUrl);
  const endpoint = new URL(flags.endpoint, 'http://placeholder');
  const url = new URL(base.origin);
  url.pathname = base.pathname.replace(/\/+$/, '') + endpoint.pathname;
  url.search = endpoint.search;
  return {
    url,
    method: flags.method,
    headers,
    body: flags.json,
    requests: flags.requests,
    concurrency: flags.concurrency,
    timeoutMs: flags.timeout * 1000,
    debug: flags.debug === true,
  };
}

function endpointPath(raw: string): string {
  const text = raw.trim();
  if (!text.startsWith('/') || text.startsWith('//')) {
    throw new InvalidArgumentError('Expected a path that starts with /, e.g. /v1/chat/completions.');
  }
  return text;
}

function httpMethod(raw: string): string {
  const method = raw.trim().toUpperCase();
  if (!/^[A-Z]+$/.test(method)) throw new InvalidArgumentError('Expected an HTTP method such as POST.');
  return method;
}
