import { CliError, errorCodeOf } from '../shared/cli-error.js';

const TIMEOUT_MS = 30_000;
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EHOSTUNREACH']);

/** Options of {@link createManageClient}. */
export interface ManageClientOptions {
  /** Where the server runs, e.g. `http://localhost:8080`. */
  readonly baseUrl: string;
  /** The bearer secret for /manage/*. */
  readonly managementToken: string;
  /** @default 30000 */
  readonly timeoutMs?: number;
}

/** Calls the management API; every failure becomes a one-line {@link CliError}. */
export interface ManageClient {
  /** Sends one request; resolves with the parsed JSON body (undefined for 204). */
  call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<unknown>;
}

/** A management API client over HTTP (global fetch; this is not the hot path). */
export function createManageClient(options: ManageClientOptions): ManageClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    async call(method, path, body) {
      let response: Response;
      try {
        response = await fetch(base + path, {
          method,
          headers: {
            authorization: `Bearer ${options.managementToken}`,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(options.timeoutMs ?? TIMEOUT_MS),
        });
      } catch (error) {
        throw transportError(options.baseUrl, error);
      }
      const text = await response.text();
      if (!response.ok) throw new CliError(`${apiErrorMessage(text, response)} (HTTP ${response.status})`);
      if (response.status === 204 || text.trim() === '') return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new CliError(
          `the management API at ${options.baseUrl} answered ${method} ${path} with invalid JSON`,
        );
      }
    },
  };
}

function apiErrorMessage(text: string, response: Response): string {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null && 'error' in parsed) {
      const { error } = parsed;
      if (typeof error === 'string' && error !== '') return error;
      if (
        typeof error === 'object' &&
        error !== null &&
        'message' in error &&
        typeof error.message === 'string'
      ) {
        return error.message;
      }
    }
  } catch {
    // not JSON: fall through to the plain text
  }
  const plain = text.trim().split('\n', 1)[0] ?? '';
  return plain !== '' && plain.length <= 200 ? plain : response.statusText || 'request failed';
}

function transportError(baseUrl: string, error: unknown): CliError {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new CliError(`the management API at ${baseUrl} did not answer within 30 s`, { cause: error });
  }
  const cause = error instanceof Error ? error.cause : undefined;
  const code = errorCodeOf(cause ?? error);
  if (UNREACHABLE.has(code)) {
    return new CliError(
      `cannot reach the management API at ${baseUrl} (${code}): is \`llm-proxy server\` running there? (set --manage-api-base-url or MANAGE_API_BASE_URL)`,
      { cause: error },
    );
  }
  return new CliError(`request to the management API at ${baseUrl} failed: ${code}`, { cause: error });
}
