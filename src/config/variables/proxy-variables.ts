import { Type } from '@sinclair/typebox';

import { parseByteSize, parseDuration } from '../parse-values.js';
import { variable } from '../variable-declaration.js';

/** The `providers` and `proxy` sections: the upstream APIs and the limits and caches of `/v1`. */
export const PROXY_VARIABLES = {
  API_CONFIG_PATH: variable({
    section: 'providers',
    schema: Type.String(),
    default: './config/api_providers.yaml',
    blankIsUnset: true,
    description:
      'Provider file (see "Providers"), read once at start. Without a file at the default path the built-in OpenAI and Anthropic definitions apply; a path set explicitly must exist.',
  }),
  DEFAULT_API_PROVIDER: variable({
    section: 'providers',
    schema: Type.String(),
    default: '',
    description: "Provider used by projects that name none; empty means the file's `default_api`.",
  }),
  OPENAI_API_URL: variable({
    section: 'providers',
    schema: Type.String(),
    default: 'https://api.openai.com',
    blankIsUnset: true,
    description:
      'Base URL of the `openai` provider: of the built-in one, and, when set, over the `base_url` of a provider file (`LLM_PROXY_PROVIDER_<NAME>_BASE_URL` does the same for any provider).',
  }),
  MAX_REQUEST_SIZE: variable({
    section: 'proxy',
    schema: Type.Integer({ minimum: 0 }),
    parse: parseByteSize,
    default: 50 * 1024 * 1024,
    defaultText: '50MiB',
    description:
      'Largest request body the proxy reads (413 beyond it, also once decoded from its Content-Encoding); units B, KB, MB, GB (powers of 1024). JSON bodies are read; multipart and binary bodies stream through unbuffered unless a `param_whitelist` applies, which reads and checks every body.',
  }),
  LLM_PROXY_ENFORCE_PROJECT_ACTIVE: variable({
    section: 'proxy',
    schema: Type.Boolean(),
    default: true,
    description: 'Refuse tokens of deactivated projects (403 `project_inactive`).',
  }),
  TOKEN_CACHE_TTL: variable({
    section: 'proxy',
    schema: Type.Integer({ minimum: 0 }),
    parse: parseDuration,
    default: 30_000,
    defaultText: '30s',
    description:
      'How long the proxy trusts a cached token or project without reading the database. Management changes invalidate entries at once; this is only the backstop for changes made elsewhere.',
  }),
  TOKEN_CACHE_MAX: variable({
    section: 'proxy',
    schema: Type.Integer({ minimum: 1, maximum: 10_000_000 }),
    default: 10_000,
    description: 'Most tokens and projects kept in that cache.',
  }),
  USAGE_FLUSH_INTERVAL: variable({
    section: 'proxy',
    schema: Type.Integer({ minimum: 0 }),
    parse: parseDuration,
    default: 5000,
    defaultText: '5s',
    description:
      'How often request counts of tokens without `max_requests` are written (and always at shutdown).',
  }),
  USAGE_FLUSH_THRESHOLD: variable({
    section: 'proxy',
    schema: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
    default: 100,
    description:
      'Also write those request counts as soon as this many are pending, so a crash loses at most about this many (`0`: only on the interval).',
  }),
  CIRCUIT_BREAKER_THRESHOLD: variable({
    section: 'proxy',
    schema: Type.Integer({ minimum: 1, maximum: 1000 }),
    default: 5,
    description:
      "Consecutive failures that open a circuit (503 `circuit_open`): failed connects open the provider's circuit, 502/503/504 answers and failures after sending only the project's own.",
  }),
  CIRCUIT_BREAKER_COOLDOWN: variable({
    section: 'proxy',
    schema: Type.Integer({ minimum: 0 }),
    parse: parseDuration,
    default: 30_000,
    defaultText: '30s',
    description: 'How long an open circuit refuses requests before one trial request is let through.',
  }),
};
