import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import { writeDotenvValues } from '../../config/index.js';
import { ERRORS, generateEncryptionKey, isAppError, systemClock } from '../../core/index.js';
import type { Clock } from '../../core/index.js';
import type { Project, Store } from '../../store/index.js';
import { issueToken } from '../../tokens/index.js';
import type { IssuedToken } from '../../tokens/index.js';
import { CliError, errorCodeOf } from '../shared/cli-error.js';
import { readEnvFile, resolveDatabaseConfig } from '../shared/config-sources.js';
import type { DatabaseCommandConfig } from '../shared/config-sources.js';
import { describe, withStore } from '../shared/open-database.js';
import { databaseFlagValues } from '../shared/option-parsers.js';
import { invocation } from '../shared/invocation.js';
import { generateManagementToken } from '../shared/secrets.js';

/** A value from a flag or a prompt; `explicit` values replace what the file already holds. */
export interface SetupValue {
  readonly value: string;
  readonly explicit: boolean;
}

/** Everything `llm-proxy setup` was asked to do, however it was asked (flags or prompts). */
export interface SetupPlan {
  /** The dotenv file to write. */
  readonly configFile: string;
  /** The provider key of the project to create; without one no project is created (with a notice). */
  readonly openaiKey: string | undefined;
  /** Empty: keep the file's token or generate one. */
  readonly managementToken: string;
  /** SQLite path or postgres:// URL. */
  readonly database: SetupValue;
  readonly listenAddress: SetupValue;
  /** The project and token to create, or undefined to skip. */
  readonly project: { readonly name: string; readonly durationMinutes: number } | undefined;
}

/** The project and first token of `llm-proxy setup`. */
export interface SetupProjectRequest {
  readonly name: string;
  /** Used only when the project does not exist yet; an existing project keeps its key. */
  readonly apiKey: string;
  /** Validity of the first token. */
  readonly durationMinutes: number;
}

/** What {@link createProjectAndToken} did. */
export interface SetupProjectOutcome {
  readonly project: Project;
  /** `created`, or how an existing project of that name was reused. */
  readonly projectStatus: 'created' | 'reused' | 'reused-other-key';
  readonly token: IssuedToken;
}

/**
 * Writes the dotenv file (mode 0600, other lines kept), generates MANAGEMENT_TOKEN and ENCRYPTION_KEY when
 * missing, runs the migrations on the configured database and creates the project and a first token.
 * `clock` dates the token's expiry.
 */
export async function runSetup(plan: SetupPlan, clock: Clock = systemClock): Promise<void> {
  const existing = readEnvFile(plan.configFile);
  const values: Record<string, string> = {};
  const generated: string[] = [];

  const managementToken = plan.managementToken.trim() || (existing.MANAGEMENT_TOKEN ?? '').trim();
  if (managementToken === '') {
    values.MANAGEMENT_TOKEN = generateManagementToken();
    generated.push('MANAGEMENT_TOKEN');
  } else if (managementToken !== existing.MANAGEMENT_TOKEN) {
    values.MANAGEMENT_TOKEN = managementToken;
  }
  if ((existing.ENCRYPTION_KEY ?? process.env.ENCRYPTION_KEY ?? '').trim() === '') {
    values.ENCRYPTION_KEY = generateEncryptionKey();
    generated.push('ENCRYPTION_KEY');
  }
  const hasDatabase = ['DB_DRIVER', 'DATABASE_PATH', 'DATABASE_URL'].some((name) => name in existing);
  if (plan.database.explicit || !hasDatabase) Object.assign(values, databaseFlagValues(plan.database.value));
  if (plan.listenAddress.explicit || !('LISTEN_ADDR' in existing))
    values.LISTEN_ADDR = plan.listenAddress.value;
  if (!('LOG_LEVEL' in existing)) values.LOG_LEVEL = 'info';

  writeConfigFile(plan.configFile, values);
  console.log(
    `Wrote ${plan.configFile} (readable by its owner only): ${describeWritten(values, generated)}.`,
  );
  if (values.MANAGEMENT_TOKEN !== undefined && generated.includes('MANAGEMENT_TOKEN')) {
    console.log(
      `Management token (bearer secret for /manage and \`llm-proxy manage\`): ${values.MANAGEMENT_TOKEN}`,
    );
  }
  warnAboutOverrides(plan.configFile, values);

  const config = resolveDatabaseConfig({ dotenv: readEnvFile(plan.configFile), env: process.env });
  await withStore(config, async (store) => {
    await migrate(store, config);
    if (plan.project === undefined) {
      console.log('Skipped creating a project and token (--skip-project).');
    } else if (plan.openaiKey === undefined) {
      console.log(
        'No OpenAI API key given (--openai-key): skipped creating a project and token. Create them later with `llm-proxy manage project create` and `llm-proxy manage token generate`.',
      );
    } else {
      const { name, durationMinutes } = plan.project;
      reportProjectAndToken(
        await createProjectAndToken(store, clock, { name, apiKey: plan.openaiKey, durationMinutes }),
      );
    }
  });
  console.log(`Done. Start the server with: ${invocation()} server --env ${plan.configFile}`);
}

/**
 * Creates the named project unless it exists, then issues its first token through {@link issueToken}, which
 * refuses an inactive project and dates the expiry by `clock`.
 */
export async function createProjectAndToken(
  store: Store,
  clock: Clock,
  request: SetupProjectRequest,
): Promise<SetupProjectOutcome> {
  const existing = (await store.projects.list()).find((project) => project.name === request.name);
  const project = existing ?? (await store.projects.create({ name: request.name, apiKey: request.apiKey }));
  let token: IssuedToken;
  try {
    token = await issueToken(store, clock, {
      projectId: project.id,
      durationMinutes: request.durationMinutes,
    });
  } catch (error) {
    if (isAppError(error) && error.code === ERRORS.PROJECT_INACTIVE.code) {
      throw new CliError(
        `project "${request.name}" exists but is inactive; reactivate it with \`llm-proxy manage project update ${project.id} --active true\``,
        { cause: error },
      );
    }
    throw error;
  }
  const projectStatus =
    existing === undefined ? 'created' : existing.apiKey === request.apiKey ? 'reused' : 'reused-other-key';
  return { project, projectStatus, token };
}

function writeConfigFile(path: string, values: Record<string, string>): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeDotenvValues(path, values);
  } catch (error) {
    throw new CliError(`cannot write ${path}: ${errorCodeOf(error)}`, { cause: error });
  }
}

function describeWritten(values: Record<string, string>, generated: readonly string[]): string {
  const names = Object.keys(values).map((name) => (generated.includes(name) ? `${name} (generated)` : name));
  return names.length === 0 ? 'nothing changed' : names.join(', ');
}

/** The server reads the environment over the file: say so when that hides what was just written. */
function warnAboutOverrides(configFile: string, values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) {
    const fromEnv = process.env[name];
    if (fromEnv !== undefined && fromEnv !== '' && fromEnv !== value) {
      console.error(`note: ${name} is set in the environment and takes precedence over ${configFile}`);
    }
  }
}

async function migrate(store: Store, config: DatabaseCommandConfig): Promise<void> {
  const where = config.database.driver === 'sqlite' ? `sqlite ${config.database.path}` : 'postgres';
  let applied: string[];
  try {
    applied = await store.migrations.latest();
  } catch (error) {
    throw new CliError(`migrating the ${where} database failed: ${describe(error)}`, { cause: error });
  }
  console.log(
    applied.length === 0
      ? `Database (${where}) is up to date.`
      : `Database (${where}): applied ${applied.length} migration(s).`,
  );
}

function reportProjectAndToken({ project, projectStatus, token }: SetupProjectOutcome): void {
  if (projectStatus === 'created') console.log(`Created project "${project.name}" (${project.id}).`);
  else if (projectStatus === 'reused-other-key') {
    console.log(
      `Project "${project.name}" (${project.id}) already exists: reusing it; its API key was left unchanged (change it with \`llm-proxy manage project update\`).`,
    );
  } else console.log(`Project "${project.name}" (${project.id}) already exists: reusing it.`);
  const expiresAt = token.record.expiresAt?.toISOString() ?? 'never';
  console.log(`Created token ${token.record.id}, valid until ${expiresAt}:`);
  console.log(`  ${token.secret}`);
  console.log('Store it now: it is not shown again.');
}
