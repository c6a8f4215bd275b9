import { createInterface } from 'node:readline';

import { ChatAbortedError, ChatRequestError, sendChat } from './chat-client.js';
import type { ChatAnswer, ChatClientOptions } from './chat-client.js';
import { formatUsage } from './chat-protocol.js';
import type { ChatMessage } from './chat-protocol.js';

const PROMPT = '> ';
const END_WORDS = new Set(['exit', 'quit']);

/** What a chat session needs: the client, the conversation's opening and where to read and write. */
export interface ChatSessionOptions {
  readonly client: ChatClientOptions;
  /** System prompt that opens the conversation; empty = none. */
  readonly system: string;
  readonly stream: boolean;
  /** Print request id, latency and token usage after each answer. */
  readonly verbose: boolean;
  readonly input: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  /** Answers (and, on a terminal, the prompt). */
  readonly output: NodeJS.WritableStream;
  /** Errors and `--verbose` details. */
  readonly errors: NodeJS.WritableStream;
}

/** How a session went. */
export interface ChatSessionSummary {
  /** Questions sent. */
  readonly turns: number;
  /** Turns that ended in an error (aborted ones do not count). */
  readonly failed: number;
  /** Whether the input was a terminal. */
  readonly interactive: boolean;
}

/**
 * Runs the chat REPL until `exit`, `quit`, end of input (Ctrl-D) or Ctrl-C at an empty prompt. Ctrl-C while an
 * answer is on its way aborts only that answer. Piped input works too: each line is one question.
 */
export async function runChatSession(options: ChatSessionOptions): Promise<ChatSessionSummary> {
  const { input, output, errors } = options;
  const interactive = input.isTTY === true;
  const lines = createInterface({ input, output: interactive ? output : undefined, terminal: interactive });
  const next = lines[Symbol.asyncIterator]();
  const history: ChatMessage[] =
    options.system.trim() === '' ? [] : [{ role: 'system', content: options.system }];
  let answering: AbortController | undefined;
  // Objects, not plain lets: the handlers below set them, which control-flow analysis cannot see.
  const state = { stopped: false };
  let saidGoodbye = false;
  let turns = 0;
  let failed = 0;

  // With piped input Ctrl-C arrives as a signal: it aborts the answer on its way, else it ends the session.
  const interrupt = (): void => {
    if (answering !== undefined) {
      answering.abort();
      return;
    }
    state.stopped = true;
    lines.close();
  };
  // On a terminal readline sees Ctrl-C as a key; at the prompt it discards a half-typed line first, as shells do.
  const interruptKey = (): void => {
    if (answering === undefined && lines.line !== '') {
      lines.write('', { ctrl: true, name: 'e' });
      lines.write('', { ctrl: true, name: 'u' });
      return;
    }
    interrupt();
  };
  lines.on('SIGINT', interruptKey);
  process.on('SIGINT', interrupt);

  if (interactive) {
    const { model } = options.client.settings;
    output.write(
      `Chatting with ${model} through ${options.client.proxyUrl}. Type exit or press Ctrl-D to quit.\n`,
    );
  }
  try {
    for (;;) {
      if (interactive) {
        lines.setPrompt(PROMPT);
        lines.prompt();
      }
      const read = await next.next();
      if (read.done === true || state.stopped) break;
      const question = read.value.trim();
      if (question === '') continue;
      if (END_WORDS.has(question.toLowerCase())) {
        saidGoodbye = true;
        break;
      }

      const user: ChatMessage = { role: 'user', content: question };
      const controller = new AbortController();
      answering = controller;
      turns += 1;
      const printed = { any: false };
      try {
        const answer = await sendChat(options.client, [...history, user], {
          stream: options.stream,
          signal: controller.signal,
          onDelta: (text) => {
            printed.any = true;
            output.write(text);
          },
        });
        output.write('\n');
        // Only answered turns join the history: a failed or aborted question is not sent again.
        history.push(user, { role: 'assistant', content: answer.content });
        if (options.verbose) errors.write(`${describeAnswer(answer)}\n`);
      } catch (error) {
        if (printed.any) output.write('\n');
        if (error instanceof ChatAbortedError) {
          errors.write('(answer aborted)\n');
        } else if (error instanceof ChatRequestError) {
          failed += 1;
          const id = options.verbose && error.requestId !== undefined ? ` (request ${error.requestId})` : '';
          errors.write(`error: ${error.message}${id}\n`);
        } else {
          throw error;
        }
      } finally {
        answering = undefined;
      }
    }
  } finally {
    process.off('SIGINT', interrupt);
    lines.close();
  }
  // End the prompt's line after Ctrl-D or Ctrl-C, so that the shell prompt starts on its own line.
  if (interactive && !saidGoodbye) output.write('\n');
  return { turns, failed, interactive };
}

function describeAnswer(answer: ChatAnswer): string {
  const parts = [
    `request ${answer.requestId ?? '-'}`,
    `${Math.round(answer.latencyMs)} ms`,
    answer.usage === undefined ? 'usage not reported' : formatUsage(answer.usage),
  ];
  return `[${parts.join(' · ')}]`;
}
