import { request } from 'undici';

const TIMEOUT_MS = 10_000;

/** An HTTP answer with its body as text. */
export interface TextResponse {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** Sends one request and reads the whole answer (bounded by a 10 s timeout). */
export async function fetchText(
  url: string,
  init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } = {},
): Promise<TextResponse> {
  const response = await request(url, {
    method: init.method ?? 'GET',
    headers: init.headers,
    body: init.body,
    headersTimeout: TIMEOUT_MS,
    bodyTimeout: TIMEOUT_MS,
  });
  return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
}

/** Creates the benchmark project (with the upstream key) and an unlimited token for it; returns the token. */
export async function issueBenchToken(
  origin: string,
  managementToken: string,
  upstreamKey: string,
): Promise<string> {
  const headers = { authorization: `Bearer ${managementToken}`, 'content-type': 'application/json' };
  const project = await postJson(`${origin}/manage/projects`, headers, {
    name: 'bench',
    api_key: upstreamKey,
  });
  const token = await postJson(`${origin}/manage/tokens`, headers, {
    project_id: project.id,
    duration_minutes: 600,
  });
  if (typeof token.token !== 'string')
    throw new Error(`POST /manage/tokens: no token in ${JSON.stringify(token)}`);
  return token.token;
}

async function postJson(
  url: string,
  headers: Record<string, string>,
  body: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const response = await fetchText(url, { method: 'POST', headers, body: JSON.stringify(body) });
  if (response.status !== 201) {
    throw new Error(`POST ${new URL(url).pathname}: HTTP ${response.status} ${response.body.slice(0, 500)}`);
  }
  const parsed: unknown = JSON.parse(response.body);
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`POST ${url}: not a JSON object`);
  return parsed as Record<string, unknown>;
}
