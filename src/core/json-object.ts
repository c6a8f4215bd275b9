/**
 * The fields of a JSON object text; undefined for text that is not JSON or not an object (an array counts as
 * one, as `typeof` says): for reading values another process or instance wrote, which may be foreign or damaged.
 */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}
