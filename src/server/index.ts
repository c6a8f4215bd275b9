export { createServer } from './create-server.js';
export type { Server, ServerDeps, ServerExtension } from './create-server.js';
export { redactingLogger } from './log-redaction.js';
export { createGateway } from './create-gateway.js';
export type { Gateway, GatewayDeps } from './create-gateway.js';
