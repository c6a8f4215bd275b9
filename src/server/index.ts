export { startGateway } from './start-gateway.js';
export type { Gateway, GatewayOverrides } from './start-gateway.js';
export type { RequestListener, ServerExtension } from './create-server.js';
export { createLogger } from './create-logger.js';
