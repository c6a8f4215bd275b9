export { TokenAuthority } from './token-authority.js';
export type { ProxyCredentials, TokenAuthorityOptions } from './token-authority.js';
export { invalidatingStore } from './invalidating-store.js';
