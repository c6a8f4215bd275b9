export { checkRequestBody } from './check-body.js';
export type { CheckedBody, CheckedCallback } from './check-body.js';
