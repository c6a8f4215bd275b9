import type { Command } from 'commander';

import { CliError, usageError } from '../shared/cli-error.js';
import { assertEnvFileExists, envFileNamed, readEnvFile } from '../shared/config-sources.js';
import { createManageClient } from './manage-client.js';
import type { ManageClient } from './manage-client.js';

interface ManageFlags {
  manageApiBaseUrl: string;
  managementToken?: string;
  env: string;
  json?: boolean;
}

/** What every `manage` command needs: the API client and how to print. */
export interface ManageContext {
  readonly client: ManageClient;
  /** Print the API's JSON instead of tables. */
  readonly json: boolean;
}

/**
 * Builds the context of a `manage` command from its flags and the global ones. The management token comes from
 * `--management-token`, else MANAGEMENT_TOKEN in the environment, else in the dotenv file. `baseUrlOverride`
 * is a command's own spelling of the API's address (the original's `cache purge --api-base-url`).
 */
export function manageContext(command: Command, baseUrlOverride?: string): ManageContext {
  const flags = command.optsWithGlobals<ManageFlags>();
  const baseUrl = baseUrlOverride ?? flags.manageApiBaseUrl;
  if (!isHttpUrl(baseUrl)) {
    throw usageError(`--manage-api-base-url: "${baseUrl}" is not an http:// or https:// URL`);
  }
  assertEnvFileExists(flags.env, envFileNamed(command));
  const fromFlag = (flags.managementToken ?? '').trim();
  const managementToken = fromFlag === '' ? (readEnvFile(flags.env).MANAGEMENT_TOKEN ?? '').trim() : fromFlag;
  if (managementToken === '') {
    throw new CliError(
      `a management token is required: pass --management-token or set MANAGEMENT_TOKEN (environment or ${flags.env})`,
    );
  }
  return { client: createManageClient({ baseUrl, managementToken }), json: flags.json === true };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
