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
  /**
   * Base URLs that replace a provider's `base_url`, keyed by the provider's name as an environment variable
   * spells it ({@link providerVariableName}); an override for a provider that does not exist changes nothing.
   */
  readonly baseUrls?: ReadonlyMap<string, string>;
}

/** A provider's name as it appears in a variable name: upper case, `_` for anything but letters and digits. */
export function providerVariableName(provider: string): string {
  return provider.toUpperCase().replace(/[^A-Z0-9]/g, '_');
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
      withBaseUrls(defaultProvidersDocument(sources.openaiUrl), sources.baseUrls),
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
  const problem = notAProviderFile(document);
  if (problem !== undefined) return { ok: false, problems: [`${sources.path}: ${problem}`] };
  return parseProviders(withBaseUrls(document, sources.baseUrls), sources.path, sources.defaultProvider);
}

function withBaseUrls(document: unknown, baseUrls: ReadonlyMap<string, string> | undefined): unknown {
  if (baseUrls === undefined || baseUrls.size === 0 || !isRecord(document) || !isRecord(document.apis))
    return document;
  const apis: Record<string, unknown> = {};
  for (const [name, api] of Object.entries(document.apis)) {
    const url = baseUrls.get(providerVariableName(name));
    apis[name] = url !== undefined && isRecord(api) ? { ...api, base_url: url } : api;
  }
  return { ...document, apis };
}

/** Says what was given instead of a provider file when it is plainly something else (a dotenv file). */
function notAProviderFile(document: unknown): string | undefined {
  // YAML reads `KEY=value` lines as one plain string.
  if (typeof document === 'string' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(document)) {
    return 'this is a dotenv file (KEY=value lines), not a provider file (default_api and apis); a dotenv file is given with --env';
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
