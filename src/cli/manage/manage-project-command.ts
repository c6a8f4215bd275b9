import type { Command } from 'commander';

import { usageError } from '../shared/cli-error.js';
import { booleanValue, nonEmpty } from '../shared/option-parsers.js';
import { formatTime, maskApiKey, printRecord, printResult, printTable } from '../shared/output.js';
import { asList, asProject, asRevokeResult } from './manage-api-types.js';
import type { ProjectJson } from './manage-api-types.js';
import { manageContext } from './manage-context.js';

interface ProjectKeyFlags {
  apiKey?: string;
  openaiKey?: string;
  provider?: string;
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
          ['ID', 'Name', 'API Key', 'Provider', 'Active', 'Created', 'Updated'],
          projects.map((p) => [
            p.id,
            p.name,
            maskApiKey(p.api_key),
            p.provider ?? '(default)',
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
        ...(flags.active === undefined ? {} : { is_active: flags.active }),
        ...(flags.revokeTokens === true ? { revoke_tokens: true } : {}),
      };
      if (Object.keys(changes).length === 0) {
        throw usageError(
          'nothing to update: give --name, --api-key, --provider, --active or --revoke-tokens',
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
    ['Active', project.is_active],
    ['Deactivated', formatTime(project.deactivated_at)],
    ['Created', formatTime(project.created_at)],
    ['Updated', formatTime(project.updated_at)],
  ]);
}
