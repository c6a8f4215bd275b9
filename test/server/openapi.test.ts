import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { json } from '../helpers/management.js';

interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  security: Record<string, unknown>[];
  components: { securitySchemes: Record<string, { type: string; scheme: string }> };
  paths: Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>>;
}

const ROUTES: [string, string, string][] = [
  ['/manage/projects', 'get', '200'],
  ['/manage/projects', 'post', '201'],
  ['/manage/projects/{id}', 'get', '200'],
  ['/manage/projects/{id}', 'patch', '200'],
  ['/manage/projects/{id}', 'delete', '405'],
  ['/manage/projects/{id}/tokens/revoke', 'post', '200'],
  ['/manage/tokens', 'get', '200'],
  ['/manage/tokens', 'post', '201'],
  ['/manage/tokens/{id}/rotate', 'post', '200'],
  ['/manage/tokens/{id}', 'get', '200'],
  ['/manage/tokens/{id}', 'patch', '200'],
  ['/manage/tokens/{id}', 'delete', '204'],
  ['/manage/audit', 'get', '200'],
  ['/manage/audit/{id}', 'get', '200'],
  ['/manage/cache/purge', 'post', '200'],
  ['/manage/usage', 'get', '200'],
  ['/manage/status', 'get', '200'],
  ['/manage/admin/sign-in', 'post', '204'],
  ['/manage/admin/sign-out', 'post', '204'],
];

describe('OpenAPI document', () => {
  let t: TestGateway;
  let doc: OpenApiDocument;
  beforeAll(async () => {
    t = await startTestGateway();
    const response = await t.inject({ method: 'GET', url: '/manage/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    doc = json<OpenApiDocument>(response);
  });
  afterAll(async () => {
    await t.close();
  });

  it('is OpenAPI 3 with a bearer security scheme applied to every operation', () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes.managementToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ managementToken: [] }]);
  });

  it('lists every management route with its success status, and nothing else', () => {
    for (const [path, method, status] of ROUTES) {
      expect(doc.paths[path]?.[method]?.responses, `${method} ${path}`).toHaveProperty(status);
    }
    const documented = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((key) => ['get', 'post', 'patch', 'put', 'delete', 'head', 'options'].includes(key))
        .map((method) => `${method} ${path}`),
    );
    expect(documented.sort()).toEqual(ROUTES.map(([path, method]) => `${method} ${path}`).sort());
  });

  it('documents request bodies, limits and field names from the route schemas', () => {
    const create = JSON.stringify(doc.paths['/manage/tokens']?.post?.requestBody);
    expect(create).toContain('duration_minutes');
    expect(create).toContain('525600');
    const project = JSON.stringify(doc.paths['/manage/projects']?.post);
    expect(project).toContain('api_key');
    expect(project).toContain('"maxLength":200');
    const audit = JSON.stringify(doc.paths['/manage/audit']?.get);
    for (const filter of [
      'action',
      'client_ip',
      'outcome',
      'search',
      'start_time',
      'end_time',
      'page_size',
    ]) {
      expect(audit).toContain(`"${filter}"`);
    }
  });
});
