import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { AUTH, createProject, createToken, json } from '../helpers/management.js';
import { TEST_DIALECTS } from '../helpers/test-store.js';

interface BadRequest {
  readonly name: string;
  readonly method: 'POST' | 'PATCH';
  readonly url: (ids: Ids) => string;
  readonly payload: string | Buffer | object | undefined;
  readonly contentType?: string;
  readonly status: number;
  readonly code: string;
  readonly error?: string | RegExp;
}

interface Ids {
  readonly projectId: string;
  readonly tokenId: string;
}

const projects = () => '/manage/projects';
const project = (ids: Ids) => `/manage/projects/${ids.projectId}`;
const tokens = () => '/manage/tokens';
const token = (ids: Ids) => `/manage/tokens/${ids.tokenId}`;

const CASES: BadRequest[] = [
  {
    name: 'malformed JSON',
    method: 'POST',
    url: projects,
    payload: '{"name": "x",',
    contentType: 'application/json',
    status: 400,
    code: 'invalid_request_body',
    error: 'invalid request body',
  },
  {
    name: 'empty JSON body where one is needed',
    method: 'POST',
    url: projects,
    payload: '',
    contentType: 'application/json',
    status: 400,
    code: 'validation_failed',
    error: 'request body must be a JSON object',
  },
  {
    name: 'no body at all',
    method: 'POST',
    url: projects,
    payload: undefined,
    status: 400,
    code: 'validation_failed',
    error: 'request body must be a JSON object',
  },
  {
    name: 'JSON array body',
    method: 'POST',
    url: projects,
    payload: '[]',
    contentType: 'application/json',
    status: 400,
    code: 'validation_failed',
    error: 'request body must be a JSON object',
  },
  {
    name: 'JSON string body',
    method: 'PATCH',
    url: project,
    payload: '"x"',
    contentType: 'application/json',
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'name of the wrong type',
    method: 'POST',
    url: projects,
    payload: { name: 42, api_key: 'sk-abc-0123456789' },
    status: 400,
    code: 'validation_failed',
    error: 'name must be a string',
  },
  {
    name: 'empty name',
    method: 'POST',
    url: projects,
    payload: { name: '', api_key: 'sk-abc-0123456789' },
    status: 400,
    code: 'validation_failed',
    error: 'name and api_key are required',
  },
  {
    name: 'blank name',
    method: 'POST',
    url: projects,
    payload: { name: '   ', api_key: 'sk-abc-0123456789' },
    status: 400,
    code: 'validation_failed',
    error: 'name and api_key are required',
  },
  {
    name: 'missing name',
    method: 'POST',
    url: projects,
    payload: { api_key: 'sk-abc-0123456789' },
    status: 400,
    code: 'validation_failed',
    error: 'name and api_key are required',
  },
  {
    name: 'unknown field',
    method: 'POST',
    url: projects,
    payload: { name: 'n', api_key: 'sk-abc-0123456789', foo: 1 },
    status: 400,
    code: 'validation_failed',
    error: 'unknown field "foo"',
  },
  {
    name: 'very long name',
    method: 'POST',
    url: projects,
    payload: { name: 'n'.repeat(201), api_key: 'sk-abc-0123456789' },
    status: 400,
    code: 'validation_failed',
    error: 'name must be at most 200 characters',
  },
  {
    name: 'very long api_key',
    method: 'POST',
    url: projects,
    payload: { name: 'long-key', api_key: 'k'.repeat(4097) },
    status: 400,
    code: 'validation_failed',
    error: 'api_key must be at most 4096 characters',
  },
  {
    name: 'prototype pollution',
    method: 'POST',
    url: projects,
    payload: '{"name":"p","api_key":"sk-abc-0123456789","__proto__":{"x":1}}',
    contentType: 'application/json',
    status: 400,
    code: 'invalid_request_body',
  },
  {
    name: 'text/plain body',
    method: 'POST',
    url: projects,
    payload: 'name=x',
    contentType: 'text/plain',
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'real form fields under the form type (read as JSON)',
    method: 'POST',
    url: projects,
    payload: 'name=x&api_key=y',
    contentType: 'application/x-www-form-urlencoded',
    status: 400,
    code: 'invalid_request_body',
  },
  {
    name: 'an image type',
    method: 'POST',
    url: projects,
    payload: 'GIF89a',
    contentType: 'image/gif',
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a quota beyond the 32-bit column',
    method: 'POST',
    url: tokens,
    payload: '{"project_id":"p","duration_minutes":5,"max_requests":1e308}',
    contentType: 'application/json',
    status: 400,
    code: 'validation_failed',
    error: 'max_requests must be <= 2147483647',
  },
  {
    name: 'a quota update beyond the 32-bit column',
    method: 'PATCH',
    url: token,
    payload: { max_requests: 2_147_483_648 },
    status: 400,
    code: 'validation_failed',
    error: 'max_requests must be <= 2147483647',
  },
  {
    name: 'body over 1 MiB',
    method: 'POST',
    url: projects,
    payload: { name: 'big', api_key: 'x'.repeat(1024 * 1024 + 10) },
    status: 413,
    code: 'payload_too_large',
    error: 'request body too large',
  },
  {
    name: 'is_active as a string',
    method: 'PATCH',
    url: project,
    payload: { is_active: 'false' },
    status: 400,
    code: 'validation_failed',
    error: 'is_active must be a boolean',
  },
  {
    name: 'empty name on update',
    method: 'PATCH',
    url: project,
    payload: { name: '' },
    status: 400,
    code: 'validation_failed',
    error: 'name must not be empty',
  },
  {
    name: 'obfuscated key on update',
    method: 'PATCH',
    url: project,
    payload: { api_key: 'sk-live-...mnop' },
    status: 400,
    code: 'obfuscated_api_key',
  },
  {
    name: 'unknown field on update',
    method: 'PATCH',
    url: project,
    payload: { deleted: true },
    status: 400,
    code: 'validation_failed',
    error: 'unknown field "deleted"',
  },
  {
    name: 'duration as a float',
    method: 'POST',
    url: tokens,
    payload: { project_id: 'p', duration_minutes: 2.5 },
    status: 400,
    code: 'validation_failed',
    error: 'duration_minutes must be an integer',
  },
  {
    name: 'project_id of the wrong type',
    method: 'POST',
    url: tokens,
    payload: { project_id: 7, duration_minutes: 5 },
    status: 400,
    code: 'validation_failed',
    error: 'project_id must be a string',
  },
  {
    name: 'malformed project_id',
    method: 'POST',
    url: tokens,
    payload: { project_id: "x' OR 1=1 --", duration_minutes: 5 },
    status: 400,
    code: 'invalid_project_id',
  },
  {
    name: 'max_requests as a string',
    method: 'PATCH',
    url: token,
    payload: { max_requests: '5' },
    status: 400,
    code: 'validation_failed',
    error: 'max_requests must be an integer',
  },
  {
    name: 'null is_active',
    method: 'PATCH',
    url: token,
    payload: { is_active: null },
    status: 400,
    code: 'validation_failed',
    error: 'is_active must be a boolean',
  },
];

describe.each(TEST_DIALECTS)('bad input is refused and nothing is written (%s)', (dialect) => {
  let t: TestGateway;
  let ids: Ids;
  beforeAll(async () => {
    t = await startTestGateway({ dialect });
    const created = await createProject(t, 'bad-input-target', 'sk-live-abcdefghijklmnop');
    ids = { projectId: created.id, tokenId: (await createToken(t, created.id, { max_requests: 3 })).id };
  });
  afterAll(async () => {
    await t.close();
  });

  async function snapshot(): Promise<string> {
    const [projectList, tokenList] = await Promise.all([t.store.projects.list(), t.store.tokens.list()]);
    return JSON.stringify({ projectList, tokenList });
  }

  it.each(CASES.map((testCase) => [testCase.name, testCase] as const))('%s', async (_name, testCase) => {
    const before = await snapshot();
    const headers: Record<string, string> = { ...AUTH };
    if (testCase.contentType) headers['content-type'] = testCase.contentType;
    const response = await t.inject({
      method: testCase.method,
      url: testCase.url(ids),
      headers,
      ...(testCase.payload === undefined ? {} : { payload: testCase.payload }),
    });
    expect(response.statusCode).toBe(testCase.status);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = json(response);
    expect(body.code).toBe(testCase.code);
    expect(typeof body.error).toBe('string');
    if (testCase.error !== undefined) expect(body.error).toMatch(testCase.error);
    expect(await snapshot()).toBe(before);
  });

  it('answers 400 for ids that are not well-formed, and 404 for unknown well-formed ones', async () => {
    for (const [url, code] of [
      ['/manage/projects/a%20b', 'invalid_project_id'],
      ['/manage/projects/' + 'x'.repeat(65), 'invalid_project_id'],
      ['/manage/tokens/%27%3B--', 'invalid_token_id'],
      ['/manage/audit/..%2F..', 'invalid_audit_event_id'],
    ] as const) {
      const response = await t.inject({ method: 'GET', url, headers: AUTH });
      expect(response.statusCode, url).toBe(400);
      expect(json(response).code).toBe(code);
    }
    const unknown = await t.inject({ method: 'GET', url: '/manage/projects/legacy_id-123', headers: AUTH });
    expect(unknown.statusCode).toBe(404);
  });

  it('keeps client-chosen field names short in error messages', async () => {
    const response = await t.manage('POST', '/manage/projects', {
      name: 'n',
      api_key: 'sk-abc-0123456789',
      ['k'.repeat(5000)]: 1,
    });
    expect(response.statusCode).toBe(400);
    expect((json(response).error as string).length).toBeLessThan(100);
  });

  it('answers unknown /manage paths with a JSON 404', async () => {
    const response = await t.inject({ method: 'GET', url: '/manage/nothing-here', headers: AUTH });
    expect(response.statusCode).toBe(404);
    expect(json(response)).toEqual({ error: 'not found', code: 'not_found' });
  });

  it('accepts JSON with a charset parameter', async () => {
    const response = await t.inject({
      method: 'POST',
      url: '/manage/projects',
      headers: { ...AUTH, 'content-type': 'application/json; charset=utf-8' },
      payload: JSON.stringify({ name: 'charset-project', api_key: 'sk-charset-0123456789' }),
    });
    expect(response.statusCode).toBe(201);
  });
});
