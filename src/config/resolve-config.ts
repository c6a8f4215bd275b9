import type { Config, ConfigOf } from './config.js';
import { ConfigError } from './config-error.js';
import { SECTION_RESOLVERS } from './config-sections.js';
import { createVariableReader } from './variable-reader.js';
import type { ConfigSources } from './variable-reader.js';
import { CONFIG_SECTIONS } from './variables.js';
import type { ConfigSection } from './variables.js';

/** Every section: what `llm-proxy server` resolves. */
export const ALL_SECTIONS: readonly ConfigSection[] = CONFIG_SECTIONS.map((section) => section.name);

/**
 * Builds the validated, deep-frozen configuration of the given sections (all of them when none are named); the
 * variables of other sections are not read, so a command never fails for a setting it does not use. Every
 * problem is collected and thrown as one {@link ConfigError}; nothing falls back silently to a default.
 */
export function resolveConfig(sources: ConfigSources): Config;
export function resolveConfig<S extends ConfigSection>(
  sources: ConfigSources,
  sections: readonly S[],
): ConfigOf<S>;
export function resolveConfig(
  sources: ConfigSources,
  sections: readonly ConfigSection[] = ALL_SECTIONS,
): Partial<Config> {
  const reader = createVariableReader(sources);
  const config: Partial<Config> = {};
  // In the declared order, so that problems are listed the same way whatever order a command names them in.
  for (const section of ALL_SECTIONS) {
    if (sections.includes(section)) Object.assign(config, SECTION_RESOLVERS[section](reader));
  }
  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
