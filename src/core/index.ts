export { AppError, ERRORS, isAppError } from './errors.js';
export { bodyStillArriving } from './body-arrival.js';
export type { AppErrorOptions, ErrorDefinition, ErrorName } from './errors.js';
export { newId, isWellFormedId } from './ids.js';
export { parseJsonObject } from './json-object.js';
export { obfuscateSecret, obfuscateToken, looksObfuscated } from './obfuscate.js';
export { secretsEqual } from './secret-compare.js';
export { SseDecoder, decodeSse } from './sse-decoder.js';
export {
  generateToken,
  hashToken,
  isTokenFormat,
  isTokenHash,
  tokenFormatProblem,
  tokenPreview,
} from './token-format.js';
export { epochMillis, systemClock } from './clock.js';
export type { Clock } from './clock.js';
export { VERSION } from './version.js';
export {
  createApiKeyCipher,
  decodeEncryptionKey,
  generateEncryptionKey,
  isEncryptedValue,
} from './api-key-cipher.js';
export type { ApiKeyCipher, StoredKeyState } from './api-key-cipher.js';
export type { Logger } from './logger.js';
export { REDACTED_LOG_PATHS, REDACTION_CENSOR } from './log-redaction.js';
