const cache = new Map<string, RegExp>();

/**
 * Whether a value matches a glob the way Go's `path.Match` does (the original program's param_whitelist):
 * `*` is any run of characters except `/`, `?` one such character, `[...]` a character class.
 */
export function globMatches(pattern: string, value: string): boolean {
  let regex = cache.get(pattern);
  if (regex === undefined) {
    regex = compile(pattern);
    cache.set(pattern, regex);
  }
  return regex.test(value);
}

function compile(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i] ?? '';
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) {
        source += '\\[';
        continue;
      }
      const body = pattern
        .slice(i + 1, end)
        .replace(/^\^/, '!')
        .replace(/\\/g, '\\\\');
      source += body.startsWith('!') ? `[^${body.slice(1)}]` : `[${body}]`;
      i = end;
    } else if (char === '\\' && i + 1 < pattern.length) {
      i += 1;
      source += escape(pattern[i] ?? '');
    } else source += escape(char);
  }
  return new RegExp(`^${source}$`, 'u');
}

function escape(char: string): string {
  return char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
