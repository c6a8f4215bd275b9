import { Option } from 'commander';

import { formatTime, maskToken, printJson, printRecord } from '../shared/output.js';
import { asNewToken } from './manage-api-types.js';
import type { ManageContext } from './manage-context.js';

/** How a newly issued token is printed. */
export type IssuedTokenFormat = 'table' | 'plain' | 'json';

/** The `--output` option of the commands that print a new token (`token generate`, `token rotate`). */
export function issuedTokenOutputOption(): Option {
  return new Option(
    '--output <format>',
    '`table`, `plain` (the original\'s "Token:", "Obfuscated:", "Expires at:" lines, for scripts) or `json`',
  )
    .choices(['table', 'plain', 'json'])
    .default('table');
}

/**
 * Prints the answer of `POST /manage/tokens` or `POST /manage/tokens/{id}/rotate`: the only time the secret is
 * shown. `--json` (global) and `--output json` print the API's body as it came.
 */
export function printIssuedToken(
  context: ManageContext,
  body: unknown,
  format: IssuedTokenFormat,
  projectId: string | undefined,
): void {
  if (context.json || format === 'json') {
    printJson(body);
    return;
  }
  const issued = asNewToken(body);
  if (format === 'plain') {
    // Exactly the original program's lines, which deployment scripts parse; nothing else on stdout.
    console.log(`Token: ${issued.token}`);
    console.log(`Obfuscated: ${maskToken(issued.token)}`);
    console.log(`Expires at: ${issued.expires_at ?? 'never'}`);
    return;
  }
  printRecord([
    ['Token', issued.token],
    ['ID', issued.id],
    ['Project', projectId ?? issued.project_id],
    ['Expires', formatTime(issued.expires_at)],
    ['Max requests', quota(issued.max_requests)],
  ]);
  console.log('Store the token now: it is not shown again (lists show it masked).');
}

/** A token's quota for display. */
export function quota(maxRequests: number | null | undefined): string {
  return maxRequests === null || maxRequests === undefined || maxRequests === 0
    ? 'unlimited'
    : String(maxRequests);
}
