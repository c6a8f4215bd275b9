import { createInterface } from 'node:readline';

/** Asks questions one line at a time; works on a terminal and on piped standard input alike. */
export interface Prompter {
  /** Shows the question and resolves with the answer line, or undefined once the input has ended. */
  ask(question: string): Promise<string | undefined>;
  close(): void;
}

/**
 * A line prompter. Lines are queued as they arrive because piped input delivers every answer at once, before
 * the later questions are asked (readline's own `question()` would drop them).
 */
export function createPrompter(
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stdout,
): Prompter {
  const terminal = 'isTTY' in input && input.isTTY === true;
  const lines = createInterface({ input, output: terminal ? output : undefined, terminal });
  const queued: string[] = [];
  const waiting: ((line: string | undefined) => void)[] = [];
  let ended = false;
  lines.on('line', (line) => {
    const resolve = waiting.shift();
    if (resolve === undefined) queued.push(line);
    else resolve(line);
  });
  lines.on('close', () => {
    ended = true;
    for (const resolve of waiting.splice(0)) resolve(undefined);
  });
  return {
    async ask(question) {
      if (terminal) {
        // Through readline, so that line editing redraws the question along with the answer.
        lines.setPrompt(question);
        lines.prompt();
      } else {
        output.write(question);
      }
      const line =
        queued.shift() ??
        (ended ? undefined : await new Promise<string | undefined>((resolve) => waiting.push(resolve)));
      // Piped answers are not echoed; end the prompt's line so the transcript stays readable.
      if (!terminal) output.write('\n');
      return line;
    },
    close() {
      lines.close();
    },
  };
}
