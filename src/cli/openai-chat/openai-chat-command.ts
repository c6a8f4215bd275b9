import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';

import { parseBoolean } from '../../config/index.js';
import { CliError, usageError } from '../shared/cli-error.js';
import { httpUrl } from '../shared/http-url.js';
import { nonEmpty, wholeNumber } from '../shared/option-parsers.js';

const DEFAULT_PROXY_URL = 'http://localhost:8080';
const DEFAULT_MODEL = 'gpt-4.1-mini';
const DEFAULT_SYSTEM_PROMPT = 'You are a helpful assistant.';
const MAX_TEMPERATURE = 2;

interface ChatFlags {
  proxy: string;
  token?: string;
  model: string;
  temperature: number;
  maxTokens: number;
  system: string;
  verbose?: boolean;
  stream?: boolean;
}

/** Adds `llm-proxy openai chat`. */
export function registerOpenAiCommands(program: Command): void {
  const openai = program
    .command('openai')
    .description('talk to OpenAI-compatible APIs through the proxy with an llm-proxy token');
  openai
    .command('chat')
    .description('interactive chat through {proxy}/v1/chat/completions; exit, quit or Ctrl-D end it')
    .addOption(
      new Option('--proxy <url>', 'base URL of the proxy')
        .env('PROXY_URL')
        .default(DEFAULT_PROXY_URL)
        .argParser(httpUrl),
    )
    .addOption(new Option('--token <token>', 'llm-proxy token (required)').env('PROXY_TOKEN'))
    .addOption(
      new Option('--model <name>', 'model to ask').env('MODEL').default(DEFAULT_MODEL).argParser(nonEmpty),
    )
    .addOption(
      new Option('--temperature <number>', `sampling temperature, 0..${MAX_TEMPERATURE}`)
        .env('TEMPERATURE')
        .default(0.7)
        .argParser(decimalBetween(0, MAX_TEMPERATURE)),
    )
    .addOption(
      new Option('--max-tokens <n>', 'longest answer in tokens; 0 leaves max_tokens unset')
        .env('MAX_TOKENS')
        .default(0)
        .argParser(wholeNumber(0)),
    )
    .addOption(
      new Option('--system <prompt>', 'system prompt that opens the conversation; "" for none')
        .env('SYSTEM_PROMPT')
        .default(DEFAULT_SYSTEM_PROMPT),
    )
    // Boolean flags read their variables by hand: commander would treat VERBOSE=false as set.
    .option('-v, --verbose', 'print request id, latency and token usage of each answer (env VERBOSE)')
    .option('--stream', 'print answers as they are generated (default; env USE_STREAMING)')
    .option('--no-stream', 'wait for each whole answer')
    .action(async (flags: ChatFlags) => {
      const token = (flags.token ?? '').trim();
      if (token === '') throw new CliError('a proxy token is required: pass --token or set PROXY_TOKEN');
      const verbose = flags.verbose ?? envBoolean('VERBOSE') ?? false;
      const stream = flags.stream ?? envBoolean('USE_STREAMING') ?? true;
      const { runChatSession } = await import('./chat-session.js');
      const summary = await runChatSession({
        client: {
          proxyUrl: flags.proxy,
          token,
          settings: {
            model: flags.model,
            temperature: flags.temperature,
            maxTokens: flags.maxTokens,
            includeUsage: verbose,
          },
        },
        system: flags.system,
        stream,
        verbose,
        input: process.stdin,
        output: process.stdout,
        errors: process.stderr,
      });
      // A script that pipes questions in learns from the exit code that some went unanswered.
      if (!summary.interactive && summary.failed > 0) {
        throw new CliError(`${summary.failed} of ${summary.turns} questions got no answer`);
      }
    });
}

function decimalBetween(min: number, max: number): (raw: string) => number {
  return function parseDecimal(raw: string): number {
    const text = raw.trim();
    const value = Number(text);
    if (!/^\d+(\.\d+)?$|^\.\d+$/.test(text) || value < min || value > max) {
      throw new InvalidArgumentError(`Expected a number between ${min} and ${max}.`);
    }
    return value;
  };
}

function envBoolean(name: string): boolean | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const parsed = parseBoolean(raw);
  if (!parsed.ok) throw usageError(`${name}: ${parsed.problem}`);
  return parsed.value;
}
