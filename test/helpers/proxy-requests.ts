/** JSON request headers for a proxy call. */
export const JSON_HEADERS = { 'content-type': 'application/json' };

/** A chat completion request body. */
export function chatBody(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...extra });
}

/** The request of a chat completion with a token, for the harness's `proxy` or `injectProxy`. */
export function chatRequest(token: string, signal?: AbortSignal): RequestInit & { token: string } {
  return {
    method: 'POST',
    token,
    headers: JSON_HEADERS,
    body: chatBody(),
    ...(signal !== undefined && { signal }),
  };
}

/** The OpenAI-shaped error body the proxy answers with. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; code: string; param: null };
}

/** Reads a proxy error response, checking that it is OpenAI-shaped JSON. */
export async function errorOf(response: Response): Promise<OpenAiErrorBody['error']> {
  const contentType = response.headers.get('content-type');
  if (contentType?.startsWith('application/json') !== true) {
    throw new Error(`expected a JSON error, got content-type ${String(contentType)}`);
  }
  const body = (await response.json()) as OpenAiErrorBody;
  return body.error;
}

/** What {@link leaveAfterFirstChunk} saw before it left. */
export interface LeftStream {
  readonly response: Response;
  /** The first chunk of the stream, as text. */
  readonly first: string;
}

/**
 * A client that leaves mid-stream: sends a streaming chat request, reads the first chunk of the answer and
 * aborts. The caller scripts the upstream (a slow stream) first.
 */
export async function leaveAfterFirstChunk(
  gateway: { proxy(path: string, init?: RequestInit & { token?: string }): Promise<Response> },
  token: string,
): Promise<LeftStream> {
  const controller = new AbortController();
  const response = await gateway.proxy('/v1/chat/completions', {
    method: 'POST',
    token,
    headers: JSON_HEADERS,
    body: chatBody({ stream: true }),
    signal: controller.signal,
  });
  const reader = response.body?.getReader();
  const chunk = (await reader?.read())?.value as Uint8Array | undefined;
  controller.abort();
  return { response, first: Buffer.from(chunk ?? new Uint8Array()).toString() };
}
