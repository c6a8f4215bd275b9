import { Option } from 'commander';
import type { Command } from 'commander';

import { usageError } from '../shared/cli-error.js';
import { nonEmpty } from '../shared/option-parsers.js';
import { printResult } from '../shared/output.js';
import { asPurgeResult } from './manage-api-types.js';
import { manageContext } from './manage-context.js';

interface PurgeFlags {
  method?: string;
  url?: string;
  prefix?: string;
  projectId?: string;
  all?: boolean;
  apiBaseUrl?: string;
}

/** Adds `llm-proxy manage cache purge`. */
export function registerCacheCommands(manage: Command): void {
  const cache = manage.command('cache').description('purge the HTTP response cache');

  cache
    .command('purge')
    .description(
      'purge cached answers on every instance: one method and URL (every variant), a URL path prefix, one project, or all',
    )
    .option('--method <method>', 'with --url: the method of the entries (GET, POST, …)', nonEmpty)
    .option('--url <url>', 'with --method: a path with query (/v1/models?x=1) or an absolute URL', nonEmpty)
    .option('--prefix <prefix>', 'every entry whose URL path starts with this (e.g. /v1/models)', nonEmpty)
    .option(
      '--project-id <id>',
      "alone: everything of one project; with --url or --prefix: only the project's",
      nonEmpty,
    )
    .option('--all', 'every entry of every project')
    .addOption(
      new Option(
        '--api-base-url <url>',
        "the management API (the original's spelling of --manage-api-base-url)",
      )
        .env('MANAGEMENT_API_BASE_URL')
        .hideHelp(),
    )
    .action(async (flags: PurgeFlags, command: Command) => {
      const body = purgeBody(flags);
      const context = manageContext(command, flags.apiBaseUrl);
      const answer = await context.client.call('POST', '/manage/cache/purge', body);
      printResult(context, answer, () => {
        const { deleted } = asPurgeResult(answer);
        console.log(
          `Purged ${String(deleted)} cache ${deleted === 1 ? 'entry' : 'entries'} (${describe(body)}).`,
        );
      });
    });
}

/** The API body of the one choice the flags make; a usage error when they make none or several. */
function purgeBody(flags: PurgeFlags): Record<string, unknown> {
  const byUrl = flags.method !== undefined || flags.url !== undefined;
  const choices = [byUrl, flags.prefix !== undefined, flags.all === true].filter(Boolean).length;
  if (choices > 1) throw usageError('give one of --method with --url, --prefix or --all (not several)');
  if (flags.all === true && flags.projectId !== undefined) {
    throw usageError('--all purges every project; use --project-id alone to purge one project');
  }
  if (byUrl && (flags.method === undefined || flags.url === undefined)) {
    throw usageError('--method and --url go together');
  }
  const scope = flags.projectId === undefined ? {} : { project_id: flags.projectId };
  if (byUrl) return { method: flags.method, url: flags.url, ...scope };
  if (flags.prefix !== undefined) return { prefix: flags.prefix, ...scope };
  if (flags.all === true) return { all: true };
  if (flags.projectId !== undefined) return scope;
  throw usageError('say what to purge: --method M --url U, --prefix P, --project-id ID or --all');
}

function describe(body: Record<string, unknown>): string {
  const project = typeof body.project_id === 'string' ? ` of project ${body.project_id}` : '';
  if (typeof body.url === 'string') return `${String(body.method).toUpperCase()} ${body.url}${project}`;
  if (typeof body.prefix === 'string') return `URLs starting with ${body.prefix}${project}`;
  if (body.all === true) return 'everything';
  return `everything${project}`;
}
