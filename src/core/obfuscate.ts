const TOKEN_PREFIX = 'sk-';

/**
 * Masks a secret for display with the original program's generic rule: up to 4 characters become `*`,
 * up to 12 keep their first 2, longer ones keep their first 8 and last 4 (`sk-proj-...wxyz`).
 */
export function obfuscateSecret(value: string): string {
  if (value.length <= 4) return '*'.repeat(value.length);
  if (value.length <= 12) return value.slice(0, 2) + '*'.repeat(value.length - 2);
  return `${value.slice(0, 8)}...${value.slice(-4)}`;
}

/** Masks a proxy token, keeping `sk-`, 4 leading and 4 trailing characters (`sk-AbCd**************WxYz`). */
export function obfuscateToken(token: string): string {
  if (!token.startsWith(TOKEN_PREFIX)) return obfuscateSecret(token);
  const rest = token.slice(TOKEN_PREFIX.length);
  if (rest.length <= 8) return TOKEN_PREFIX + '*'.repeat(rest.length);
  return `${TOKEN_PREFIX}${rest.slice(0, 4)}${'*'.repeat(rest.length - 8)}${rest.slice(-4)}`;
}

/** Whether a value looks like an already-masked secret (which must never be saved as a real key). */
export function looksObfuscated(value: string): boolean {
  return value.includes('...') || value.includes('****');
}
