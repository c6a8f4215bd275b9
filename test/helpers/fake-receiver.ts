import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request an observability backend received. */
export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  readonly body: unknown;
}

/** How the fake backend answers one request. */
export interface ScriptedAnswer {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A string is sent as is; anything else as JSON. */
  readonly body?: unknown;
  /** Wait this long before answering (timeouts). */
  readonly delayMs?: number;
}

/** Picks the answer to a request; `index` counts the requests received so far, from 0. */
export type AnswerScript = (request: ReceivedRequest, index: number) => ScriptedAnswer;

/** A fake observability backend on a real socket: records what it received, answers by script. */
export interface FakeReceiver {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Replaces the script (the default answers 200 `{}`). */
  answer(script: AnswerScript): void;
  close(): Promise<void>;
}

/** Starts a fake backend on 127.0.0.1 and an ephemeral port. */
export async function startFakeReceiver(script: AnswerScript = () => ({ body: {} })): Promise<FakeReceiver> {
  const requests: ReceivedRequest[] = [];
  let current = script;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const received: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        text,
        body: parseJson(text),
      };
      const index = requests.push(received) - 1;
      const answer = current(received, index);
      const send = (): void => {
        const body =
          answer.body === undefined
            ? ''
            : typeof answer.body === 'string'
              ? answer.body
              : JSON.stringify(answer.body);
        const type = typeof answer.body === 'string' ? 'text/plain' : 'application/json';
        res.writeHead(answer.status ?? 200, { 'content-type': type, ...answer.headers });
        res.end(body);
      };
      if (answer.delayMs === undefined) send();
      else setTimeout(send, answer.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer(next) {
      current = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
