export type {
  Config,
  ConfigOf,
  ConnectionsConfig,
  DatabaseConfig,
  DispatcherConfig,
  DispatcherServiceConfig,
  EventsConfig,
  LogLevel,
  AdminConfig,
  AdminSessionStoreConfig,
  AdminSessionConfig,
  RedisConfig,
  SectionProperties,
  UsageConfig,
} from './config.js';
export { ConfigError } from './config-error.js';
export { dispatcherServiceProblems } from './config-sections.js';
export { configWarnings } from './config-warnings.js';
export type { ConfigWarningsOptions } from './config-warnings.js';
export { PROVIDER_BASE_URL_VARIABLE } from './provider-overrides.js';
export { ALL_SECTIONS, resolveConfig } from './resolve-config.js';
export { mergeSources } from './variable-reader.js';
export type { ConfigSources } from './variable-reader.js';
export { NotDotenvError, readDotenvFile, writeDotenvValues } from './dotenv-file.js';
export {
  parseBoolean,
  parseByteSize,
  parseDuration,
  parseInteger,
  parseListenAddress,
} from './parse-values.js';
export type { ListenAddress, Parsed } from './parse-values.js';
export { CONFIG_SECTIONS, SECRET_VARIABLES, VARIABLES, writtenDefault } from './variables.js';
export type { ConfigSection, VariableName, VariableSpec, VariableValue } from './variables.js';
export { renderVariablesReference } from './variables-reference.js';
export {
  defaultProvidersDocument,
  loadProviders,
  parseProviders,
  providerVariableName,
} from './providers/index.js';
export type {
  ErrorFormat,
  ProviderAuth,
  ProviderConfig,
  ProviderSources,
  ProviderTimeouts,
  ProvidersConfig,
} from './providers/index.js';
