import { Option } from 'commander';
import type { Command } from 'commander';

import { envFileNamed } from '../shared/config-sources.js';
import { httpUrl } from '../shared/http-url.js';

interface AdminFlags {
  env: string;
  listen: string;
  apiBaseUrl: string;
  managementToken?: string;
  proxyBaseUrl?: string;
  logLevel?: string;
}

/** Adds `llm-proxy admin`. */
export function registerAdminCommand(program: Command): void {
  program
    .command('admin')
    .description(
      "serve the admin web UI on a port of its own, over a server's management API (the server also serves it under /admin)",
    )
    .addOption(new Option('--env <file>', 'dotenv file to load').env('ENV').default('.env'))
    .addOption(
      new Option('--listen <address>', 'listen address, e.g. :8081 or 127.0.0.1:8081')
        .env('ADMIN_UI_LISTEN_ADDR')
        .default(':8081'),
    )
    .addOption(
      new Option('--api-base-url <url>', 'the server whose /manage API the UI uses')
        .env('ADMIN_UI_API_BASE_URL')
        .default('http://localhost:8080')
        .argParser(httpUrl),
    )
    .option('--management-token <token>', "the server's MANAGEMENT_TOKEN (sets MANAGEMENT_TOKEN)")
    .addOption(
      new Option(
        '--proxy-base-url <url>',
        "the proxy URL shown in new tokens' snippets (default: the API base URL)",
      )
        .env('ADMIN_UI_PROXY_BASE_URL')
        .argParser(httpUrl),
    )
    .option('--log-level <level>', 'debug, info, warn or error (sets LOG_LEVEL)')
    .action(async (flags: AdminFlags, command: Command) => {
      const { runAdmin } = await import('./run-admin.js');
      await runAdmin({
        envFile: flags.env,
        envFileExplicit: envFileNamed(command),
        listen: flags.listen,
        apiBaseUrl: flags.apiBaseUrl,
        proxyBaseUrl: flags.proxyBaseUrl,
        flags: { MANAGEMENT_TOKEN: flags.managementToken, LOG_LEVEL: flags.logLevel },
      });
    });
}
