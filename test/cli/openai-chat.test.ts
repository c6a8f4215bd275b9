import type { ServerResponse } from 'node:http';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { sendJson, startFakeUpstream } from '../helpers/fake-upstream.js';
import type { FakeUpstream, RecordedRequest } from '../helpers/fake-upstream.js';
import { freePort, sleep } from '../helpers/network.js';
import {
  collect,
  runCli,
  spawnCli,
  startServer,
  tempDir,
  writeChatProviderFile,
  issueToken,
} from './cli-harness.js';

const TOKEN = 'proxy-token-for-chat-tests';

interface SentBody {
  model: string;
  messages: { role: string; content: string }[];
  temperature: number;
  max_tokens?: number;
  stream?: boolean;
  stream_options?: { include_usage: boolean };
}

let upstream: FakeUpstream;

function bodyOf(request: RecordedRequest | undefined): SentBody {
  return JSON.parse(request?.body.toString() ?? '{}') as SentBody;
}

/** Writes chunks as a chat-completion event stream, `delayMs` apart, ending with usage and [DONE]. */
async function streamWords(
  res: ServerResponse,
  words: readonly string[],
  options: { delayMs?: number; headers?: Record<string, string>; includeUsage?: boolean } = {},
): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', ...options.headers });
  for (const word of words) {
    if (res.destroyed) return;
    res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: word } }] })}\n\n`);
    await sleep(options.delayMs ?? 1);
  }
  if (options.includeUsage === true) {
    const usage = { prompt_tokens: 11, completion_tokens: words.length, total_tokens: 11 + words.length };
    res.write(`data: ${JSON.stringify({ choices: [], usage })}\n\n`);
  }
  res.end('data: [DONE]\n\n');
}

/** Answers turn n with "Answer n." (streamed or whole, as asked) and proxy-like headers. */
function numberedAnswers(): void {
  upstream.script(async (request, res) => {
    const turn = upstream.requests.length;
    const body = bodyOf(request);
    const headers = { 'x-request-id': `req-${turn}` };
    if (body.stream === true) {
      await streamWords(res, ['Answer', ` ${turn}`, '.'], {
        headers,
        includeUsage: body.stream_options?.include_usage === true,
      });
      return;
    }
    sendJson(
      res,
      200,
      {
        choices: [{ index: 0, message: { role: 'assistant', content: `Answer ${turn}.` } }],
        usage: { prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 },
      },
      headers,
    );
  });
}

function chat(args: readonly string[], input: string, env: Record<string, string | undefined> = {}) {
  return runCli(['openai', 'chat', '--proxy', upstream.url, ...args], {
    input,
    env: { PROXY_TOKEN: TOKEN, ...env },
  });
}

beforeAll(async () => {
  upstream = await startFakeUpstream();
});

afterAll(async () => {
  await upstream.close();
});

beforeEach(() => {
  upstream.reset();
  numberedAnswers();
});

describe('llm-proxy openai chat', () => {
  it('streams each answer of piped questions and sends the whole conversation every turn', async () => {
    const result = await chat([], 'Hello there\nWhat did I just say?\n');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Answer 1.\nAnswer 2.\n');

    expect(upstream.requests).toHaveLength(2);
    const [first, second] = upstream.requests;
    expect(first?.url).toBe('/v1/chat/completions');
    expect(first?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(bodyOf(first)).toEqual({
      model: 'gpt-4.1-mini',
      temperature: 0.7,
      stream: true,
      messages: [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: 'Hello there' },
      ],
    });
    expect(bodyOf(second).messages).toEqual([
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'Hello there' },
      { role: 'assistant', content: 'Answer 1.' },
      { role: 'user', content: 'What did I just say?' },
    ]);
  });

  it('--no-stream asks for whole answers with the given model, temperature, max tokens and no system prompt', async () => {
    const result = await chat(
      ['--no-stream', '--model', 'gpt-4o', '--temperature', '0.2', '--max-tokens', '50', '--system', ''],
      'One\nTwo\n',
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Answer 1.\nAnswer 2.\n');
    const second = bodyOf(upstream.requests[1]);
    expect(second).toEqual({
      model: 'gpt-4o',
      temperature: 0.2,
      max_tokens: 50,
      messages: [
        { role: 'user', content: 'One' },
        { role: 'assistant', content: 'Answer 1.' },
        { role: 'user', content: 'Two' },
      ],
    });
  });

  it('reads its settings from the environment: MODEL, TEMPERATURE, SYSTEM_PROMPT, USE_STREAMING, VERBOSE', async () => {
    const result = await chat([], 'Hi\n', {
      MODEL: 'env-model',
      TEMPERATURE: '1.5',
      MAX_TOKENS: '7',
      SYSTEM_PROMPT: 'Be brief.',
      USE_STREAMING: 'false',
      VERBOSE: 'true',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Answer 1.\n');
    expect(result.stderr).toMatch(/^\[request req-1 · \d+ ms · 11 prompt \+ 3 completion = 14 tokens\]\n$/);
    expect(bodyOf(upstream.requests[0])).toEqual({
      model: 'env-model',
      temperature: 1.5,
      max_tokens: 7,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
    });
  });

  it('--verbose asks the stream for usage and prints request id, latency and tokens on stderr', async () => {
    const result = await chat(['-v'], 'Hi\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Answer 1.\n');
    expect(result.stderr).toMatch(/^\[request req-1 · \d+ ms · 11 prompt \+ 3 completion = 14 tokens\]\n$/);
    expect(bodyOf(upstream.requests[0]).stream_options).toEqual({ include_usage: true });
  });

  it('prints a proxy error as one line, keeps the failed question out of the history and goes on', async () => {
    upstream.script(async (_request, res) => {
      if (upstream.requests.length === 1) {
        sendJson(res, 401, {
          error: {
            message: 'Token has expired',
            type: 'authentication_error',
            param: null,
            code: 'token_expired',
          },
        });
        return;
      }
      await streamWords(res, ['Fine', '.']);
    });
    const result = await chat([], 'First\nSecond\n');
    expect(result.stdout).toBe('Fine.\n');
    expect(result.stderr).toBe(
      'error: Token has expired [token_expired] (HTTP 401)\nerror: 1 of 2 questions got no answer\n',
    );
    // Piped questions that went unanswered make the exit code say so.
    expect(result.code).toBe(1);
    expect(bodyOf(upstream.requests[1]).messages).toEqual([
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'Second' },
    ]);
  });

  it('prints an error event inside the stream after the part that arrived', async () => {
    upstream.script((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'Partial' } }] })}\n\n`);
      res.end(
        `data: ${JSON.stringify({ error: { message: 'upstream went away', code: 'upstream_error' } })}\n\n`,
      );
    });
    const result = await chat([], 'Go\n');
    expect(result.stdout).toBe('Partial\n');
    expect(result.stderr).toBe(
      'error: upstream went away [upstream_error]\nerror: 1 of 1 questions got no answer\n',
    );
    expect(result.code).toBe(1);
  });

  it('exit and quit end the session; blank lines are skipped', async () => {
    const result = await chat([], '\nHi\n  \nexit\nNever sent\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Answer 1.\n');
    expect(upstream.requests).toHaveLength(1);
    const quit = await chat([], 'QUIT\nNever sent\n');
    expect(quit.code).toBe(0);
    expect(upstream.requests).toHaveLength(1);
  });

  it('Ctrl-C during a streamed answer aborts that answer only', async () => {
    upstream.script(async (_request, res) => {
      if (upstream.requests.length === 1) {
        await streamWords(
          res,
          Array.from({ length: 200 }, (_, index) => `w${index} `),
          { delayMs: 20 },
        );
        return;
      }
      await streamWords(res, ['Second answer.']);
    });
    const child = spawnCli(['openai', 'chat', '--proxy', upstream.url], { env: { PROXY_TOKEN: TOKEN } });
    const done = collect(child);
    let stdout = '';
    child.stdout?.on('data', (chunk: string) => (stdout += chunk));
    child.stdin?.write('Tell me a long story\n');
    for (let waited = 0; !stdout.includes('w2 '); waited += 10) {
      if (waited > 10_000) throw new Error(`no streamed answer: ${stdout}`);
      await sleep(10);
    }
    child.kill('SIGINT');
    await sleep(100);
    child.stdin?.end('And now?\n');
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('(answer aborted)\n');
    expect(result.stdout).toMatch(/^w0 w1 w2 .*\nSecond answer\.\n$/s);
    expect(result.stdout).not.toContain('w199');
    expect(upstream.requests[0]?.aborted).toBe(true);
    // The aborted turn is not part of the history.
    expect(bodyOf(upstream.requests[1]).messages.map((message) => message.content)).toEqual([
      'You are a helpful assistant.',
      'And now?',
    ]);
  });

  it('an unreachable proxy is one error line per question', async () => {
    const port = await freePort();
    const result = await runCli(['openai', 'chat', '--proxy', `http://127.0.0.1:${port}`], {
      input: 'Hi\n',
      env: { PROXY_TOKEN: TOKEN },
    });
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `error: cannot reach the proxy at http://127.0.0.1:${port}: ECONNREFUSED\nerror: 1 of 1 questions got no answer\n`,
    );
    expect(result.code).toBe(1);
  });

  it('refuses to start without a token, or with invalid settings', async () => {
    const noToken = await runCli(['openai', 'chat'], { input: 'Hi\n' });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toBe('error: a proxy token is required: pass --token or set PROXY_TOKEN\n');

    const hot = await chat(['--temperature', '2.5'], 'Hi\n');
    expect(hot.code).toBe(2);
    expect(hot.stderr).toContain('Expected a number between 0 and 2.');

    const badStream = await chat([], 'Hi\n', { USE_STREAMING: 'maybe' });
    expect(badStream.code).toBe(2);
    expect(badStream.stderr).toBe('error: USE_STREAMING: "maybe" is not a boolean (use true or false)\n');
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('llm-proxy openai chat through a real llm-proxy server', () => {
  const MANAGEMENT_TOKEN = 'chat-test-management-token-0123456789';
  let dir: ReturnType<typeof tempDir>;

  beforeAll(() => {
    dir = tempDir();
  });

  afterAll(() => {
    dir.remove();
  });

  it('talks to the upstream through the proxy with a proxy token', async () => {
    const providers = writeChatProviderFile(dir.path, upstream.url);
    const server = await startServer({
      cwd: dir.path,
      env: { MANAGEMENT_TOKEN, API_CONFIG_PATH: providers },
    });
    try {
      const token = await issueToken(server.url, MANAGEMENT_TOKEN, 'sk-chat-test-upstream-key');
      const result = await runCli(['openai', 'chat', '--proxy', server.url, '--token', token, '-v'], {
        input: 'Hello\nAgain\n',
      });
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('Answer 1.\nAnswer 2.\n');
      // The proxy's own request id, not the upstream's.
      expect(result.stderr).toMatch(/^\[request (?!req-)\S+ · \d+ ms · 11 prompt/);
      expect(upstream.requests).toHaveLength(2);
      expect(upstream.requests[0]?.headers.authorization).toBe('Bearer sk-chat-test-upstream-key');
      expect(bodyOf(upstream.requests[1]).messages).toHaveLength(4);

      const refused = await runCli(['openai', 'chat', '--proxy', server.url, '--token', 'not-a-token'], {
        input: 'Hello\n',
      });
      expect(refused.code).toBe(1);
      expect(refused.stderr.split('\n')[0]).toMatch(/^error: .+ \(HTTP 401\)$/);
      expect(upstream.requests).toHaveLength(2);
    } finally {
      await server.stop();
    }
  });
});
