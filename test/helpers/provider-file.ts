import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { stringify } from 'yaml';

/** Endpoints the test `openai` provider serves. */
const OPENAI_ENDPOINTS = [
  '/v1/chat/completions',
  '/v1/completions',
  '/v1/embeddings',
  '/v1/models',
  '/v1/files',
  '/v1/audio/transcriptions',
];

/** A provider definition like the test `openai` one (Bearer auth), at another upstream. */
export function openAiLikeProvider(
  baseUrl: string,
  extra: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  return {
    base_url: baseUrl,
    auth: { header: 'Authorization', scheme: 'Bearer' },
    allowed_endpoints: OPENAI_ENDPOINTS,
    allowed_methods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    ...extra,
  };
}

/** A provider definition like Anthropic's (`x-api-key` auth, the Messages API). */
export function anthropicLikeProvider(
  baseUrl: string,
  extra: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  return {
    base_url: baseUrl,
    auth: { header: 'x-api-key', scheme: '' },
    allowed_endpoints: ['/v1/messages', '/v1/models'],
    allowed_methods: ['GET', 'POST', 'OPTIONS'],
    ...extra,
  };
}

/** What {@link writeProviderFile} writes. */
export interface ProviderFileOptions {
  /** Base URL of the `openai` provider (the default one). */
  readonly openaiUrl: string;
  /** Base URL of the `anthropic` provider. */
  readonly anthropicUrl: string;
  /** Keys merged into the `openai` provider (timeouts, param_whitelist …). */
  readonly openai?: Readonly<Record<string, unknown>>;
  /** Further providers, by name. */
  readonly providers?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** Writes `api_providers.yaml` into `dir` (`openai` by default, `anthropic`, and any others); returns its path. */
export function writeProviderFile(dir: string, options: ProviderFileOptions): string {
  const path = join(dir, 'api_providers.yaml');
  writeFileSync(
    path,
    stringify({
      default_api: 'openai',
      apis: {
        openai: openAiLikeProvider(options.openaiUrl, options.openai),
        anthropic: anthropicLikeProvider(options.anthropicUrl),
        ...options.providers,
      },
    }),
  );
  return path;
}
