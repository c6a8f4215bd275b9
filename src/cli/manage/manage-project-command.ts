import type { Command } from 'commander';

import { usageError } from '../shared/cli-error.js';
import { MAX_CACHE_POST_TTL_SECONDS } from '../../projects/index.js';
import { booleanValue, describeSeconds, durationSecondsOrOff, nonEmpty } from '../shared/option-parsers.js';
import { formatTime, maskApiKey, printRecord, printResult, printTable } from '../shared/output.js';
import { asList, asProject, asRevokeResult } from './manage-api-types.js';
import type { ProjectJson } from './manage-api-types.js';
import { manageContext } from './manage-context.js';

interface ProjectKeyFlags {
  apiKey?: string;
  openaiKey?: string;
  provider?: string;
  cachePostTtl?: number | 'off';
}

interface CreateFlags extends ProjectKeyFlags {
  name: string;
}

interface UpdateFlags extends ProjectKeyFlags {
  name?: string;
  active?: boolean;
  revokeTokens?: boolean;
}

/** Adds `llm-proxy manage project list|get|create|update|revoke-tokens`. */
export function registerProjectCommands(manage: Command): void {
  const project = manage.command('project').description('list, create and change projects');

  project
    .command('list')
    .description('list every project (API keys masked)')
    .action(async (_flags: unknown, command: Command) => {
      const context = manageContext(command);
      const body = await context.client.call('GET', '/manage/projects');
      printResult(context, body, () => {
        const projects = asList(body, asProject);
        if (projects.length === 0) {
          console.log('No projects.');
          return;
        }
        printTable(
          ['ID', 'Name', 'API Key', 'Provider', 'POST cache TTL', 'Active', 'Created', 'Updated'],
          projects.map((p) => [
            p.id,
            p.name,
            maskApiKey(p.api_key),
            p.provider ?? '(default)',
            cachePostTtlText(p.cache_post_ttl_seconds),
            p.is_active,
            formatTime(p.created_at),
            formatTime(p.updated_at),
          ]),
        );
      });
    });

  project
    .command('get')
    .description('show one project')
    .argument('<id>', 'project id')
    .action(async (id: string, _flags: unknown, command: Command) => {
      const context = manageContext(command);
      const body = await context.client.call('GET', `/manage/projects/${encodeURIComponent(id)}`);
      printResult(context, body, () => {
        printProject(asProject(body));
      });
    });

  withKeyOptions(
    project
      .command('create')
      .description('create a project holding a provider API key')
      .requiredOption('--name <name>', 'project name (unique)', nonEmpty),
  ).action(async (flags: CreateFlags, command: Command) => {
    const apiKey = keyFrom(flags);
    if (apiKey === undefined) throw usageError("required option '--api-key <key>' not specified");
    const context = manageContext(command);
    const body = await context.client.call('POST', '/manage/projects', {
      name: flags.name,
      api_key: apiKey,
      ...(flags.provider === undefined ? {} : { provider: flags.provider }),
      ...(flags.cachePostTtl === undefined || flags.cachePostTtl === 'off'
        ? {}
        : { cache_post_ttl_seconds: flags.cachePostTtl }),
    });
    printResult(context, body, () => {
      printProject(asProject(body));
    });
  });

  withKeyOptions(
    project
      .command('update')
      .description('rename a project, replace its API key, or (de)activate it')
      .argument('<id>', 'project id')
      .option('--name <name>', 'new name', nonEmpty),
  )
    .option('--active <true|false>', 'activate or deactivate the project', booleanValue)
    .option('--revoke-tokens', 'with --active false: also revoke every token of the project')
    .action(async (id: string, flags: UpdateFlags, command: Command) => {
      const apiKey = keyFrom(flags);
      if (flags.revokeTokens === true && flags.active !== false) {
        throw usageError('--revoke-tokens needs --active false (or use `manage project revoke-tokens <id>`)');
      }
      const changes = {
        ...(flags.name === undefined ? {} : { name: flags.name }),
        ...(apiKey === undefined ? {} : { api_key: apiKey }),
        ...(flags.provider === undefined
          ? {}
          : { provider: flags.provider === 'default' ? null : flags.provider }),
        ...(flags.cachePostTtl === undefined
          ? {}
          : { cache_post_ttl_seconds: flags.cachePostTtl === 'off' ? null : flags.cachePostTtl }),
        ...(flags.active === undefined ? {} : { is_active: flags.active }),
        ...(flags.revokeTokens === true ? { revoke_tokens: true } : {}),
      };
      if (Object.keys(changes).length === 0) {
        throw usageError(
          'nothing to update: give --name, --api-key, --provider, --cache-post-ttl, --active or --revoke-tokens',
        );
      }
      const context = manageContext(command);
      const body = await context.client.call('PATCH', `/manage/projects/${encodeURIComponent(id)}`, changes);
      printResult(context, body, () => {
        printProject(asProject(body));
      });
    });

  project
    .command('revoke-tokens')
    .description('revoke every active token of a project (the project stays active)')
    .argument('<id>', 'project id')
    .action(async (id: string, _flags: unknown, command: Command) => {
      const context = manageContext(command);
      const body = await context.client.call(
        'POST',
        `/manage/projects/${encodeURIComponent(id)}/tokens/revoke`,
      );
      printResult(context, body, () => {
        const result = asRevokeResult(body);
        const failed = result.failed_count === undefined ? '' : `, ${result.failed_count} failed`;
        console.log(
          `Revoked ${result.revoked_count} token(s) of project ${id} (${result.already_revoked_count} already inactive, ${result.total_tokens} in total${failed}).`,
        );
      });
    });
}

function withKeyOptions(command: Command): Command {
  return command
    .option('--api-key <key>', 'the provider API key (stored encrypted when ENCRYPTION_KEY is set)', nonEmpty)
    .option('--openai-key <key>', 'alias of --api-key', nonEmpty)
    .option(
      '--provider <name>',
      'provider serving the project (e.g. openai, anthropic); on update, `default` returns to the default provider',
      nonEmpty,
    )
    .option(
      '--cache-post-ttl <duration>',
      "cache the project's POST answers this long without the client opting in: 90s, 10m, 24h, 7d (up to 365d; a bare number is seconds); off turns it off",
      durationSecondsOrOff(MAX_CACHE_POST_TTL_SECONDS),
    );
}

function keyFrom(flags: ProjectKeyFlags): string | undefined {
  if (flags.apiKey !== undefined && flags.openaiKey !== undefined && flags.apiKey !== flags.openaiKey) {
    throw usageError('--api-key and --openai-key are the same option; give only one');
  }
  return flags.apiKey ?? flags.openaiKey;
}

function printProject(project: ProjectJson): void {
  printRecord([
    ['ID', project.id],
    ['Name', project.name],
    ['API Key', maskApiKey(project.api_key)],
    ['Provider', project.provider ?? '(default)'],
    ['POST cache TTL', cachePostTtlText(project.cache_post_ttl_seconds)],
    ['Active', project.is_active],
    ['Deactivated', formatTime(project.deactivated_at)],
    ['Created', formatTime(project.created_at)],
    ['Updated', formatTime(project.updated_at)],
  ]);
}

/** `off`, the lifetime (`3600s (1h)`), or `-` when an older server does not send the field. */
function cachePostTtlText(seconds: number | null | undefined): string {
  if (seconds === undefined) return '-';
  if (seconds === null) return 'off';
  const unit = describeSeconds(seconds);
  return unit === `${seconds}s` ? unit : `${seconds}s (${unit})`;
}
