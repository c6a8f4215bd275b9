import { Command, Option } from 'commander';

import { VERSION } from '../core/index.js';
import { registerAdminCommand } from './admin/admin-command.js';
import { registerBenchmarkCommand } from './benchmark/benchmark-command.js';
import { registerDispatcherCommand } from './dispatcher/dispatcher-command.js';
import { registerManageCommands } from './manage/manage-command.js';
import { registerMigrateCommand } from './migrate/migrate-command.js';
import { registerOpenAiCommands } from './openai-chat/openai-chat-command.js';
import { registerServerCommand } from './server/server-command.js';
import { registerSetupCommand } from './setup/setup-command.js';

/** The `llm-proxy` command line; errors surface as exceptions (exitOverride) so that main decides the exit. */
export function createProgram(): Command {
  const program = new Command('llm-proxy')
    .description(
      'Token-guarded gateway for LLM APIs: per-project revocable tokens in front of OpenAI and others',
    )
    .version(VERSION, '--version', 'print the version')
    .addOption(
      new Option('--manage-api-base-url <url>', 'where `manage` commands find the management API')
        .env('MANAGE_API_BASE_URL')
        .default('http://localhost:8080'),
    )
    .exitOverride()
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false });
  registerServerCommand(program);
  registerAdminCommand(program);
  registerDispatcherCommand(program);
  registerSetupCommand(program);
  registerMigrateCommand(program);
  registerManageCommands(program);
  registerOpenAiCommands(program);
  registerBenchmarkCommand(program);
  return program;
}
