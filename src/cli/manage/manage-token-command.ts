import type { Command } from 'commander';

import { usageError } from '../shared/cli-error.js';
import { booleanValue, durationMinutes, nonEmpty, wholeNumber } from '../shared/option-parsers.js';
import { formatTime, maskToken, printJson, printRecord, printResult, printTable } from '../shared/output.js';
import { issuedTokenOutputOption, printIssuedToken, quota } from './issued-token-output.js';
import type { IssuedTokenFormat } from './issued-token-output.js';
import { asList, asToken } from './manage-api-types.js';
import type { TokenJson } from './manage-api-types.js';
import { manageContext } from './manage-context.js';

// The management API refuses longer lifetimes (one year).
const MAX_DURATION_MINUTES = 525_600;

interface GenerateFlags {
  projectId: string;
  duration: number;
  maxRequests?: number;
  output: IssuedTokenFormat;
}

interface RotateFlags {
  output: IssuedTokenFormat;
}

interface ListFlags {
  projectId?: string;
  activeOnly?: boolean;
}

interface UpdateFlags {
  active?: boolean;
  maxRequests?: number;
}

/** Adds `llm-proxy manage token generate|list|get|update|revoke|rotate`. */
export function registerTokenCommands(manage: Command): void {
  const token = manage.command('token').description('issue, list, change and revoke proxy tokens');

  token
    .command('generate')
    .description('issue a token for a project and print it (the only time it is shown in full)')
    .requiredOption('--project-id <id>', 'project the token belongs to', nonEmpty)
    .option(
      '--duration <duration>',
      'validity: 90m, 24h, 7d (up to 365d); a bare number is minutes',
      durationMinutes('minutes', MAX_DURATION_MINUTES),
      1440,
    )
    .option('--max-requests <n>', 'lifetime request quota (0 = unlimited)', wholeNumber(0))
    .addOption(issuedTokenOutputOption())
    .action(async (flags: GenerateFlags, command: Command) => {
      const context = manageContext(command);
      const body = await context.client.call('POST', '/manage/tokens', {
        project_id: flags.projectId,
        duration_minutes: flags.duration,
        ...(flags.maxRequests === undefined ? {} : { max_requests: flags.maxRequests }),
      });
      printIssuedToken(context, body, flags.output, flags.projectId);
    });

  token
    .command('rotate')
    .description('replace a token by a new secret (the old one stops working) and print it once')
    .argument('<id>', 'token id (not the token itself)')
    .addOption(issuedTokenOutputOption())
    .action(async (id: string, flags: RotateFlags, command: Command) => {
      const context = manageContext(command);
      const body = await context.client.call('POST', `/manage/tokens/${encodeURIComponent(id)}/rotate`);
      printIssuedToken(context, body, flags.output, undefined);
    });

  token
    .command('list')
    .description('list tokens, newest first (masked)')
    .option('--project-id <id>', 'only the tokens of this project', nonEmpty)
    .option('--active-only', 'only active tokens')
    .action(async (flags: ListFlags, command: Command) => {
      const context = manageContext(command);
      const query = new URLSearchParams();
      if (flags.projectId !== undefined) query.set('project_id', flags.projectId);
      if (flags.activeOnly === true) query.set('active_only', 'true');
      const search = query.size > 0 ? `?${query.toString()}` : '';
      const body = await context.client.call('GET', `/manage/tokens${search}`);
      printResult(context, body, () => {
        const tokens = asList(body, asToken);
        if (tokens.length === 0) {
          console.log('No tokens.');
          return;
        }
        printTable(
          ['ID', 'Token', 'Project', 'Active', 'Requests', 'Expires', 'Last used', 'Created'],
          tokens.map((t) => [
            t.id,
            maskToken(t.token),
            t.project_id,
            t.is_active,
            `${t.request_count ?? 0} / ${quota(t.max_requests)}`,
            formatTime(t.expires_at),
            formatTime(t.last_used_at),
            formatTime(t.created_at),
          ]),
        );
      });
    });

  token
    .command('get')
    .description('show one token (masked)')
    .argument('<id>', 'token id (not the token itself)')
    .action(async (id: string, _flags: unknown, command: Command) => {
      const context = manageContext(command);
      const body = await context.client.call('GET', `/manage/tokens/${encodeURIComponent(id)}`);
      printResult(context, body, () => {
        printToken(asToken(body));
      });
    });

  token
    .command('update')
    .description("activate or deactivate a token, or change its quota (the expiry can't change)")
    .argument('<id>', 'token id')
    .option('--active <true|false>', 'activate or deactivate the token', booleanValue)
    .option('--max-requests <n>', 'lifetime request quota (0 = unlimited)', wholeNumber(0))
    .action(async (id: string, flags: UpdateFlags, command: Command) => {
      const changes = {
        ...(flags.active === undefined ? {} : { is_active: flags.active }),
        ...(flags.maxRequests === undefined ? {} : { max_requests: flags.maxRequests }),
      };
      if (Object.keys(changes).length === 0)
        throw usageError('nothing to update: give --active or --max-requests');
      const context = manageContext(command);
      const body = await context.client.call('PATCH', `/manage/tokens/${encodeURIComponent(id)}`, changes);
      printResult(context, body, () => {
        printToken(asToken(body));
      });
    });

  token
    .command('revoke')
    .description('revoke a token at once (idempotent)')
    .argument('<id>', 'token id')
    .action(async (id: string, _flags: unknown, command: Command) => {
      const context = manageContext(command);
      await context.client.call('DELETE', `/manage/tokens/${encodeURIComponent(id)}`);
      // The API answers 204 without a body; --json still prints something a script can parse.
      if (context.json) printJson({ id, revoked: true });
      else console.log(`Revoked token ${id}.`);
    });
}

function printToken(token: TokenJson): void {
  printRecord([
    ['ID', token.id],
    ['Token', maskToken(token.token)],
    ['Project', token.project_id],
    ['Active', token.is_active],
    ['Deactivated', formatTime(token.deactivated_at)],
    ['Requests', token.request_count ?? 0],
    ['Max requests', quota(token.max_requests)],
    ['Cache hits', token.cache_hit_count ?? 0],
    ['Expires', formatTime(token.expires_at)],
    ['Last used', formatTime(token.last_used_at)],
    ['Created', formatTime(token.created_at)],
  ]);
}
