import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

import { parse } from 'dotenv';

const ASSIGNMENT = /^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=/;

/** A file given where a dotenv file was expected that is plainly something else. */
export class NotDotenvError extends Error {
  constructor(path: string, what: string) {
    super(
      `${path} is not a dotenv file (KEY=value lines): it looks like ${what}. A provider file is given to \`llm-proxy server --config\` (or API_CONFIG_PATH)`,
    );
    this.name = 'NotDotenvError';
  }
}

/**
 * Reads a dotenv file; a missing file is an empty set of values. Throws {@link NotDotenvError} for a file that
 * holds no assignment but YAML or JSON (a provider file passed by mistake), which would otherwise read as empty —
 * or be overwritten by a command that writes the file.
 */
export function readDotenvFile(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const text = readFileSync(path, 'utf8');
  const what = foreignFormat(text);
  if (what !== undefined) throw new NotDotenvError(path, what);
  return parse(text);
}

function foreignFormat(text: string): string | undefined {
  const lines = text.split('\n').filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
  if (lines.length === 0 || lines.some((line) => ASSIGNMENT.test(line))) return undefined;
  if (/^\s*[{[]/.test(lines[0] ?? '')) return 'JSON';
  if (lines.some((line) => /^(default_api|apis)\s*:/.test(line))) return 'a provider file (YAML)';
  if (lines.some((line) => /^[A-Za-z_][\w.-]*\s*:(\s|$)/.test(line))) return 'YAML';
  return undefined;
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
