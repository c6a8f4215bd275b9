const STRUCTURE = /["{}[\],]/g;

/**
 * The first of `keys` that occurs more than once among the top-level members of a JSON object text, or
 * undefined. `JSON.parse` keeps the last of repeated members, other parsers the first: a body that repeats a
 * checked key would be checked with one value and run with the other. Keys are compared decoded, so
 * `"\u006dodel"` is `model`. The text must already be known to be valid JSON.
 */
export function repeatedTopLevelKey(text: string, keys: ReadonlySet<string>): string | undefined {
  const seen = new Set<string>();
  let depth = 0;
  let expectKey = false;
  STRUCTURE.lastIndex = 0;
  for (let match = STRUCTURE.exec(text); match !== null; match = STRUCTURE.exec(text)) {
    const at = match.index;
    switch (text.charCodeAt(at)) {
      case 0x22: {
        const end = stringEnd(text, at);
        if (depth === 1 && expectKey) {
          expectKey = false;
          const key = JSON.parse(text.slice(at, end + 1)) as string;
          if (keys.has(key)) {
            if (seen.has(key)) return key;
            seen.add(key);
          }
        }
        STRUCTURE.lastIndex = end + 1;
        break;
      }
      case 0x7b:
        depth += 1;
        if (depth === 1) expectKey = true;
        break;
      case 0x5b:
        depth += 1;
        break;
      case 0x7d:
      case 0x5d:
        depth -= 1;
        break;
      default:
        if (depth === 1) expectKey = true;
    }
  }
  return undefined;
}

/** The index of the quote that closes the string opened at `start`. */
function stringEnd(text: string, start: number): number {
  let at = text.indexOf('"', start + 1);
  while (at !== -1) {
    let backslashes = 0;
    for (let before = at - 1; text.charCodeAt(before) === 0x5c; before -= 1) backslashes += 1;
    if (backslashes % 2 === 0) return at;
    at = text.indexOf('"', at + 1);
  }
  return text.length;
}
