import { Option } from 'commander';
import type { Command } from 'commander';

import { registerCacheCommands } from './manage-cache-command.js';
import { registerProjectCommands } from './manage-project-command.js';
import { registerTokenCommands } from './manage-token-command.js';
import { registerUsageCommand } from './manage-usage-command.js';

/**
 * Adds `llm-proxy manage project …`, `manage token …`, `manage cache …` and `manage usage`, which call the
 * management API over HTTP.
 */
export function registerManageCommands(program: Command): void {
  const manage = program
    .command('manage')
    .description(
      'manage projects, tokens and the response cache, and read token usage, through the management API of a running server',
    )
    .addOption(
      new Option(
        '--management-token <token>',
        'bearer secret for /manage (else MANAGEMENT_TOKEN from the --env file)',
      ).env('MANAGEMENT_TOKEN'),
    )
    .addOption(
      new Option('--env <file>', 'dotenv file to read MANAGEMENT_TOKEN from').env('ENV').default('.env'),
    )
    .option('--json', "print the API's JSON instead of tables");
  registerProjectCommands(manage);
  registerTokenCommands(manage);
  registerCacheCommands(manage);
  registerUsageCommand(manage);
}
