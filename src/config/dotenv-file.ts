import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

import { parse } from 'dotenv';

/** Reads a dotenv file; a missing file is an empty set of values. */
export function readDotenvFile(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  return parse(readFileSync(path, 'utf8'));
}

/**
 * Sets variables in a dotenv file, keeping every other line as it was, and leaves the file readable by its
 * owner only (it holds secrets).
 */
export function writeDotenvValues(path: string, values: Readonly<Record<string, string>>): void {
  const lines = existsSync(path) ? readFileSync(path, 'utf8').split('\n') : [];
  if (lines.at(-1) === '') lines.pop();
  const pending = new Map(Object.entries(values));
  const updated = lines.map((line) => {
    const name = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
    if (name === undefined || !pending.has(name)) return line;
    const value = pending.get(name) ?? '';
    pending.delete(name);
    return `${name}=${quote(value)}`;
  });
  for (const [name, value] of pending) updated.push(`${name}=${quote(value)}`);
  writeFileSync(path, updated.join('\n') + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
}

function quote(value: string): string {
  return /^[A-Za-z0-9_./:+=@-]*$/.test(value) ? value : JSON.stringify(value);
}
