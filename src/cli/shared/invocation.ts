import { basename, relative } from 'node:path';

/**
 * How to run this program again the way it was run now, for the commands it suggests: `npx llm-proxy` under
 * npx or npm exec, `llm-proxy` when started through its installed bin, else `node <path to main.js>` (a clone run
 * by path, where `llm-proxy` is not on the PATH).
 */
export function invocation(
  env: NodeJS.ProcessEnv = process.env,
  script: string = process.argv[1] ?? '',
  cwd: string = process.cwd(),
): string {
  if (env.npm_command === 'exec') return 'npx llm-proxy';
  if (basename(script) === 'llm-proxy') return 'llm-proxy';
  const path = relative(cwd, script);
  return `node ${path.startsWith('.') || path.startsWith('/') ? path : `./${path}`}`;
}
