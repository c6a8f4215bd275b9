import { parseListenAddress } from '../../config/index.js';
import { obfuscateSecret } from '../../core/index.js';
import { CliError } from '../shared/cli-error.js';
import { parseDurationMinutes } from '../shared/option-parsers.js';
import type { Prompter } from './prompter.js';
import type { SetupPlan } from './run-setup.js';

const MAX_ATTEMPTS = 3;

/** Defaults shown by the interactive setup: the flags' values and what the dotenv file already holds. */
export interface SetupDefaults {
  readonly plan: SetupPlan;
  readonly existing: Readonly<Record<string, string>>;
  readonly maxDurationMinutes: number;
}

/** Asks for every setup value, offering the defaults; an empty answer (or the end of input) keeps the default. */
export async function askSetupQuestions(prompter: Prompter, defaults: SetupDefaults): Promise<SetupPlan> {
  const { plan, existing } = defaults;
  const knownKey = plan.openaiKey ?? existing.OPENAI_API_KEY;
  const keyAnswer = await prompter.ask(
    `OpenAI API key${knownKey === undefined ? ' (empty: no project)' : ` [${obfuscateSecret(knownKey)}]`}: `,
  );
  const openaiKey = nonEmpty(keyAnswer) ?? knownKey;

  const knownToken = plan.managementToken || existing.MANAGEMENT_TOKEN || '';
  const tokenAnswer = await prompter.ask(
    `Management token [${knownToken === '' ? 'generate one' : `keep ${obfuscateSecret(knownToken)}`}]: `,
  );
  const managementToken = nonEmpty(tokenAnswer) ?? knownToken;

  const dbDefault = plan.database.explicit
    ? plan.database.value
    : (nonEmpty(existing.DB_DRIVER === 'postgres' ? existing.DATABASE_URL : existing.DATABASE_PATH) ??
      plan.database.value);
  const database =
    nonEmpty(await prompter.ask(`Database (SQLite file or postgres:// URL) [${dbDefault}]: `)) ?? dbDefault;

  const addrDefault = plan.listenAddress.explicit
    ? plan.listenAddress.value
    : (existing.LISTEN_ADDR ?? plan.listenAddress.value);
  const listenAddress = await askValid(
    prompter,
    `Listen address [${addrDefault}]: `,
    addrDefault,
    (answer) => {
      const parsed = parseListenAddress(answer);
      return parsed.ok ? undefined : parsed.problem;
    },
  );

  let project = plan.project;
  if (openaiKey !== undefined) {
    const create = await askValid(
      prompter,
      `Create a project and a token? [${project === undefined ? 'y/N' : 'Y/n'}]: `,
      project === undefined ? 'n' : 'y',
      (answer) => (/^(y|yes|n|no)$/i.test(answer) ? undefined : 'answer y or n'),
    );
    if (/^y/i.test(create)) {
      const name =
        nonEmpty(await prompter.ask(`Project name [${project?.name ?? 'DefaultProject'}]: `)) ??
        project?.name ??
        'DefaultProject';
      const minutesDefault = project?.durationMinutes ?? 24 * 60;
      const shownDefault = minutesDefault % 60 === 0 ? String(minutesDefault / 60) : `${minutesDefault}m`;
      const read = (answer: string) => parseDurationMinutes(answer, 'hours', defaults.maxDurationMinutes);
      const validity = await askValid(
        prompter,
        `Token validity in hours, or with a unit (90m, 7d) [${shownDefault}]: `,
        shownDefault,
        (answer) => {
          const result = read(answer);
          return 'problem' in result ? result.problem : undefined;
        },
      );
      const result = read(validity);
      project = { name, durationMinutes: 'minutes' in result ? result.minutes : minutesDefault };
    } else {
      project = undefined;
    }
  }
  return {
    configFile: plan.configFile,
    openaiKey,
    managementToken,
    database: { value: database, explicit: true },
    listenAddress: { value: listenAddress, explicit: true },
    project,
  };
}

async function askValid(
  prompter: Prompter,
  question: string,
  fallback: string,
  problemOf: (answer: string) => string | undefined,
): Promise<string> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const answer = nonEmpty(await prompter.ask(question)) ?? fallback;
    const problem = problemOf(answer);
    if (problem === undefined) return answer;
    console.error(`  ${problem}`);
  }
  throw new CliError(`no valid answer after ${MAX_ATTEMPTS} attempts: ${question.replace(/:\s*$/, '')}`);
}

function nonEmpty(answer: string | undefined): string | undefined {
  const trimmed = answer?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
