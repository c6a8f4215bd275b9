/** JSON request headers for a proxy call. */
export const JSON_HEADERS = { 'content-type': 'application/json' };

/** A chat completion request body. */
export function chatBody(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...extra });
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
