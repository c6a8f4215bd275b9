import type { IncomingHttpHeaders } from 'node:http';

/** The management token of every test gateway. */
export const MANAGEMENT_TOKEN = 'test-management-token-5d1f0a7b9c3e';
/** The Authorization header that passes management authentication. */
export const AUTH = { authorization: `Bearer ${MANAGEMENT_TOKEN}` };

/** What the management helpers read of an answer (a light-my-request response has all of it). */
export interface ManageResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders | Record<string, string | string[] | number | undefined>;
  /** The body as text. */
  readonly body: string;
}

/** Something that sends authenticated management requests: a test gateway, or a running server over HTTP. */
export interface Manager {
  /** An authenticated management request; an object body is sent as JSON. */
  manage(method: string, path: string, body?: unknown): Promise<ManageResponse>;
}

/** Management calls to a server on a real socket (the CLI's server, for instance), over fetch. */
export function managementOverHttp(baseUrl: string, managementToken: string = MANAGEMENT_TOKEN): Manager {
  return {
    async manage(method, path, body) {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${managementToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return {
        statusCode: response.status,
        headers: Object.fromEntries(response.headers),
        body: await response.text(),
      };
    },
  };
}

/** The parsed JSON body of a response, typed as the caller expects it. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller states the shape it asserts on
export function json<T = Record<string, unknown>>(response: { readonly body: string }): T {
  return JSON.parse(response.body) as T;
}

/** A project as the management API shows it. */
export interface ProjectJson {
  id: string;
  name: string;
  api_key: string;
  is_active: boolean;
}

/** Creates a project through the API and returns its JSON. */
export async function createProject(
  m: Manager,
  name: string,
  apiKey = 'sk-live-abcdefghijklmnop',
  extra: Record<string, unknown> = {},
): Promise<ProjectJson> {
  const response = await m.manage('POST', '/manage/projects', { name, api_key: apiKey, ...extra });
  if (response.statusCode !== 201) throw new Error(`project create failed: ${response.body}`);
  return json(response);
}

/** A token as `POST /manage/tokens` answers it: the only time the secret is shown. */
export interface CreatedToken {
  id: string;
  token: string;
  expires_at: string;
  max_requests?: number;
}

/** Issues a token (60 minutes unless `extra` says otherwise) through the API and returns its JSON. */
export async function createToken(
  m: Manager,
  projectId: string,
  extra: Record<string, unknown> = {},
): Promise<CreatedToken> {
  const response = await m.manage('POST', '/manage/tokens', {
    project_id: projectId,
    duration_minutes: 60,
    ...extra,
  });
  if (response.statusCode !== 201) throw new Error(`token create failed: ${response.body}`);
  return json(response);
}

/** A project and one of its tokens, created through the management API. */
export interface IssuedToken {
  readonly projectId: string;
  readonly apiKey: string;
  readonly tokenId: string;
  readonly token: string;
}

/** Options of {@link issueToken}. */
export interface IssueOptions {
  /** The project's provider. @default the default provider */
  readonly provider?: string;
  /** The project's upstream key. @default a unique one */
  readonly apiKey?: string;
  /** Extra fields of `POST /manage/tokens` (`max_requests`, `duration_minutes`). */
  readonly token?: Record<string, unknown>;
}

let issued = 0;

/** Creates a project with a unique name and one token for it. */
export async function issueToken(m: Manager, options: IssueOptions = {}): Promise<IssuedToken> {
  issued += 1;
  const suffix = `${String(issued)}-${Math.random().toString(36).slice(2, 8)}`;
  const apiKey = options.apiKey ?? `sk-upstream-key-${suffix}`;
  const project = await createProject(
    m,
    `proxy-project-${suffix}`,
    apiKey,
    options.provider === undefined ? {} : { provider: options.provider },
  );
  const token = await createToken(m, project.id, options.token);
  return { projectId: project.id, apiKey, tokenId: token.id, token: token.token };
}

/** Reads audit events through the API. */
export async function auditEvents(
  m: Manager,
  query = '',
): Promise<{ events: Record<string, unknown>[]; pagination: Record<string, unknown> }> {
  const response = await m.manage('GET', `/manage/audit${query === '' ? '' : `?${query}`}`);
  if (response.statusCode !== 200) throw new Error(`audit list failed: ${response.body}`);
  return json(response);
}
