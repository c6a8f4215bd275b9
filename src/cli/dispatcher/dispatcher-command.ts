import { Option } from 'commander';
import type { Command } from 'commander';

import { enableDebugOutput, usageError } from '../shared/cli-error.js';
import { envFileNamed } from '../shared/config-sources.js';

interface DispatcherFlags {
  env: string;
  service?: string;
  endpoint?: string;
  apiKey?: string;
  buffer?: string;
  batchSize?: string;
  addr?: string;
  logLevel?: string;
  detach?: boolean;
}

interface ReplayFlags {
  from?: string;
  to?: string;
  deadLetters?: boolean;
  ids?: string;
  dryRun?: boolean;
}

/** Why `--detach` is refused, and what to do instead. */
const NO_DETACH =
  '--detach is not supported: a Node.js process cannot fork itself into the background safely. Run the dispatcher under a supervisor (a systemd service, supervisord, a container) or detach it from the shell: `nohup llm-proxy dispatcher > data/dispatcher.log 2>&1 &`';

/** Adds `llm-proxy dispatcher` and `llm-proxy dispatcher replay`. */
export function registerDispatcherCommand(program: Command): void {
  const dispatcher = program
    .command('dispatcher')
    .description(
      'deliver the events of the Redis Streams bus to a backend (file, lunary, helicone, otel); SIGTERM drains',
    )
    .addOption(new Option('--env <file>', 'dotenv file to load').env('ENV').default('.env'))
    .option('--service <name>', 'file, lunary, helicone or otel (sets DISPATCHER_SERVICE)')
    .option('--endpoint <path-or-url>', 'JSONL file (file) or backend URL (sets DISPATCHER_ENDPOINT)')
    .option(
      '--api-key <key>',
      'backend API key (sets LLM_PROXY_API_KEY; prefer the variable: flags show in the process list)',
    )
    .option('--buffer <events>', 'events read ahead of the backend (sets DISPATCHER_BUFFER)')
    .option('--batch-size <events>', 'events per batch (sets DISPATCHER_BATCH_SIZE)')
    .option('--addr <address>', '/health and /metrics address, e.g. :8082 (sets DISPATCHER_LISTEN_ADDR)')
    .option('--log-level <level>', 'debug, info, warn or error (sets LOG_LEVEL)')
    .option('--detach', 'not supported: prints how to run the dispatcher in the background instead')
    .action(async (flags: DispatcherFlags, command: Command) => {
      if (flags.detach === true) throw usageError(NO_DETACH);
      // Loaded on demand: the other commands start without the dispatcher's dependencies.
      const { runDispatcher } = await import('./run-dispatcher.js');
      await runDispatcher({
        envFile: flags.env,
        envFileExplicit: envFileNamed(command),
        flags: {
          DISPATCHER_SERVICE: flags.service,
          DISPATCHER_ENDPOINT: flags.endpoint,
          LLM_PROXY_API_KEY: flags.apiKey,
          DISPATCHER_BUFFER: flags.buffer,
          DISPATCHER_BATCH_SIZE: flags.batchSize,
          DISPATCHER_LISTEN_ADDR: flags.addr,
          LOG_LEVEL: flags.logLevel,
        },
      });
    });

  dispatcher
    .command('replay')
    .description(
      'add events to the stream again: a range of its entries, or the dead letters (moved back); every group receives them',
    )
    .option('--from <id>', 'first stream entry id of the range, inclusive (`-`: the oldest)')
    .option('--to <id>', 'last stream entry id of the range, inclusive (`+`: the newest)')
    .option('--dead-letters', 'replay the dead letters (`<REDIS_STREAM_KEY>:dead`) instead of a range')
    .option('--ids <ids>', 'with --dead-letters: only these dead-letter ids, comma-separated')
    .option('--dry-run', 'print how many events would be replayed, change nothing')
    .action(async (flags: ReplayFlags, command: Command) => {
      const request = replayRequest(flags);
      const globals = command.optsWithGlobals<DispatcherFlags>();
      if (globals.logLevel === 'debug') enableDebugOutput();
      const { runReplay } = await import('./run-replay.js');
      await runReplay({
        envFile: globals.env,
        envFileExplicit: envFileNamed(command),
        flags: { LOG_LEVEL: globals.logLevel },
        request,
        dryRun: flags.dryRun === true,
      });
    });
}

/** What `replay` was asked to do. */
export type ReplayRequest =
  | { readonly kind: 'range'; readonly from: string; readonly to: string }
  | { readonly kind: 'dead-letters'; readonly ids: readonly string[] | undefined };

function replayRequest(flags: ReplayFlags): ReplayRequest {
  const range = flags.from !== undefined || flags.to !== undefined;
  if (flags.deadLetters === true) {
    if (range) throw usageError('--dead-letters replays the dead letters: it takes no --from or --to');
    const ids = flags.ids
      ?.split(',')
      .map((id) => id.trim())
      .filter((id) => id !== '');
    if (ids?.length === 0) throw usageError('--ids names no dead-letter id');
    return { kind: 'dead-letters', ids: ids?.map((id) => streamId('--ids', id)) };
  }
  if (flags.ids !== undefined) throw usageError('--ids is only for --dead-letters');
  if (flags.from === undefined || flags.to === undefined) {
    throw usageError(
      'say what to replay: --from <id> --to <id> (a range of the stream; `-` and `+` for its ends) or --dead-letters',
    );
  }
  return { kind: 'range', from: streamId('--from', flags.from), to: streamId('--to', flags.to) };
}

/** A stream entry id as XRANGE takes it: `<ms>-<seq>`, `<ms>`, or `-` / `+` for the ends. */
function streamId(flag: string, raw: string): string {
  const id = raw.trim();
  const ends = flag === '--ids' ? /^\d+(?:-\d+)?$/ : /^(?:-|\+|\d+(?:-\d+)?)$/;
  if (!ends.test(id)) {
    throw usageError(`${flag} ${raw}: not a stream entry id (like 1718000000000-0, or - and + for the ends)`);
  }
  return id;
}
