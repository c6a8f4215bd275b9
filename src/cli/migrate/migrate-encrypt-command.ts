import type { Command } from 'commander';

import type { EncryptReport, SecretsReport } from '../../store/index.js';
import { CliError } from '../shared/cli-error.js';
import { printJson } from '../shared/output.js';
import type { MigrateRunner } from './migrate-command.js';

/** Exit code of `encrypt-status --check` when something is left for `migrate encrypt`. */
export const EXIT_WORK_REMAINS = 3;

interface StatusFlags {
  json?: boolean;
  check?: boolean;
}

interface EncryptFlags {
  json?: boolean;
}

/** Adds `llm-proxy migrate encrypt` and `llm-proxy migrate encrypt-status`. */
export function registerEncryptCommands(migrate: Command, migrateWith: MigrateRunner): void {
  migrate
    .command('encrypt')
    .description(
      'encrypt plaintext provider API keys with ENCRYPTION_KEY, re-encrypt those of ENCRYPTION_KEYS_PREVIOUS and hash plaintext tokens (idempotent)',
    )
    .option('--json', 'print the counts as JSON')
    .action(async (flags: EncryptFlags, command: Command) => {
      await migrateWith(command, async (store, label, config) => {
        if (config.encryption.key === undefined) {
          throw new CliError(
            'ENCRYPTION_KEY is not set: nothing can be encrypted. Set it to base64 of 32 random bytes (`llm-proxy setup` writes one, or `openssl rand -base64 32`) and run again.',
          );
        }
        const pending = (await store.migrations.status()).filter((s) => s.executedAt === undefined);
        if (pending.length > 0) {
          throw new CliError(
            `${label}: ${pending.length} migration(s) pending; run \`llm-proxy migrate up\` first`,
          );
        }
        const report = await store.secrets.encryptAll();
        if (flags.json === true) printJson(encryptJson(report));
        else printEncryptReport(label, report);
        if (report.unreadable > 0) {
          throw new CliError(
            `${report.unreadable} API key(s) are encrypted with a key that is not configured and were left as they are; add that key to ENCRYPTION_KEYS_PREVIOUS and run again`,
          );
        }
      });
    });

  migrate
    .command('encrypt-status')
    .description(
      'count encrypted and plaintext provider API keys and hashed and plaintext tokens (changes nothing)',
    )
    .option('--json', 'print the counts as JSON')
    .option('--check', `exit with ${EXIT_WORK_REMAINS} when \`migrate encrypt\` has work to do`)
    .action(async (flags: StatusFlags, command: Command) => {
      await migrateWith(command, async (store, label) => {
        const report = await store.secrets.status();
        if (flags.json === true) printJson(statusJson(report));
        else printStatusReport(label, report);
        const remaining =
          report.plaintextKeys + report.previousKeys + report.unreadableKeys + report.plaintextTokens;
        if (flags.check === true && remaining > 0) {
          throw new CliError(`${remaining} secret(s) are not stored as \`migrate encrypt\` leaves them`, {
            exitCode: EXIT_WORK_REMAINS,
          });
        }
      });
    });
}

function printEncryptReport(label: string, report: EncryptReport): void {
  console.log(label);
  console.log(
    `API keys: ${report.encrypted} encrypted, ${report.reEncrypted} re-encrypted with the current key, ${report.alreadyCurrent} already current, ${report.empty} empty, ${report.unreadable} unreadable`,
  );
  console.log(`Tokens: ${report.tokensHashed} hashed, ${report.tokensAlreadyHashed} already hashed`);
}

function printStatusReport(label: string, report: SecretsReport): void {
  console.log(label);
  console.log(
    `API keys: ${report.currentKeys + report.previousKeys} encrypted (${report.currentKeys} with ENCRYPTION_KEY, ${report.previousKeys} with a previous key), ${report.plaintextKeys} plaintext, ${report.unreadableKeys} unreadable, ${report.emptyKeys} empty`,
  );
  console.log(`Tokens: ${report.hashedTokens} hashed, ${report.plaintextTokens} plaintext`);
}

function encryptJson(report: EncryptReport): Record<string, number> {
  return {
    api_keys_encrypted: report.encrypted,
    api_keys_re_encrypted: report.reEncrypted,
    api_keys_already_current: report.alreadyCurrent,
    api_keys_empty: report.empty,
    api_keys_unreadable: report.unreadable,
    tokens_hashed: report.tokensHashed,
    tokens_already_hashed: report.tokensAlreadyHashed,
  };
}

function statusJson(report: SecretsReport): Record<string, number> {
  return {
    api_keys_encrypted: report.currentKeys + report.previousKeys,
    api_keys_current_key: report.currentKeys,
    api_keys_previous_key: report.previousKeys,
    api_keys_plaintext: report.plaintextKeys,
    api_keys_unreadable: report.unreadableKeys,
    api_keys_empty: report.emptyKeys,
    tokens_hashed: report.hashedTokens,
    tokens_plaintext: report.plaintextTokens,
  };
}
