export { loadProviders, providerVariableName } from './load-providers.js';
export type { ProviderSources } from './load-providers.js';
export { parseProviders } from './parse-providers.js';
export { defaultProvidersDocument } from './default-providers.js';
export type {
  ErrorFormat,
  ProviderAuth,
  ProviderConfig,
  ProviderTimeouts,
  ProvidersConfig,
} from './provider-config.js';
