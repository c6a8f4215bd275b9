export {
  generateToken,
  hashToken,
  isTokenFormat,
  isTokenHash,
  tokenFormatProblem,
  tokenPreview,
} from './token-format.js';
