export { TokenAuthority } from './token-authority.js';
export type { ProxyCredentials, TokenAuthorityOptions } from './token-authority.js';
export { invalidatingStore } from './invalidating-store.js';
export { issueToken } from './issue-token.js';
export type { IssuedToken, IssueTokenInput } from './issue-token.js';
export { createTokenService } from './token-service.js';
export type { TokenService, UpdateTokenInput } from './token-service.js';
