export type { Config, DatabaseConfig, LogLevel } from './config.js';
export { ConfigError } from './config-error.js';
export { mergeSources, resolveConfig } from './resolve-config.js';
export type { ConfigSources } from './resolve-config.js';
export { readDotenvFile, writeDotenvValues } from './dotenv-file.js';
export {
  parseBoolean,
  parseByteSize,
  parseDuration,
  parseInteger,
  parseListenAddress,
} from './parse-values.js';
export type { ListenAddress, Parsed } from './parse-values.js';
export { SECRET_VARIABLES, VARIABLES } from './variables.js';
export type { VariableSpec } from './variables.js';
export { defaultProvidersDocument, loadProviders, parseProviders } from './providers/index.js';
export type {
  ProviderAuth,
  ProviderConfig,
  ProviderSources,
  ProviderTimeouts,
  ProvidersConfig,
} from './providers/index.js';
