import { readFileSync } from 'node:fs';

interface PackageJson {
  version: string;
}

function readVersion(): string {
  const url = new URL('../../package.json', import.meta.url);
  const parsed = JSON.parse(readFileSync(url, 'utf8')) as PackageJson;
  return parsed.version;
}

/** The product version, from package.json. */
export const VERSION = readVersion();
