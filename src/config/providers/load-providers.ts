import { existsSync, readFileSync } from 'node:fs';

import { parse } from 'yaml';

import { defaultProvidersDocument } from './default-providers.js';
import { parseProviders } from './parse-providers.js';
import type { ProvidersConfig } from './provider-config.js';

/** Where provider definitions are looked up. */
export interface ProviderSources {
  /** API_CONFIG_PATH. */
  readonly path: string;
  /** Whether the path was set explicitly (then a missing file is an error, not a fallback). */
  readonly pathExplicit: boolean;
  /** DEFAULT_API_PROVIDER, when set. */
  readonly defaultProvider: string | undefined;
  /** OPENAI_API_URL, used by the built-in definitions. */
  readonly openaiUrl: string;
}

/**
 * Reads and validates the provider file. Without a file at the default path the built-in OpenAI and
 * Anthropic definitions apply; an explicitly configured file that is missing or invalid is an error.
 */
export function loadProviders(
  sources: ProviderSources,
): { ok: true; value: ProvidersConfig } | { ok: false; problems: string[] } {
  if (!existsSync(sources.path)) {
    if (sources.pathExplicit)
      return { ok: false, problems: [`API_CONFIG_PATH: file not found: ${sources.path}`] };
    return parseProviders(
      defaultProvidersDocument(sources.openaiUrl),
      'built-in providers',
      sources.defaultProvider,
    );
  }
  let document: unknown;
  try {
    document = parse(readFileSync(sources.path, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { ok: false, problems: [`${sources.path}: not valid YAML: ${reason ?? ''}`] };
  }
  return parseProviders(document, sources.path, sources.defaultProvider);
}
