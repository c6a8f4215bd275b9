import type { FastifyInstance } from 'fastify';

import { AppError, ERRORS, VERSION } from '../core/index.js';
import type { Clock } from '../core/index.js';
import type { Store } from '../store/index.js';

/** How long `/ready` waits for the database before declaring it unavailable. */
const READY_TIMEOUT_MS = 2000;
/** How long one readiness answer is reused: probes poll often, and the check writes. */
const READY_CACHE_MS = 2000;
/** `Retry-After` of a not-ready answer, in seconds. */
const RETRY_AFTER_SECONDS = '5';

/** What the probes look at. */
export interface ProbeOptions {
  readonly store: Store;
  readonly clock: Clock;
}

/**
 * Registers `/health` (version), `/ready` (database readable and writable) and `/live` (process up).
 */
export function registerProbes(app: FastifyInstance, options: ProbeOptions): void {
  const readiness = createReadinessCheck(options);

  app.get('/health', () => ({
    status: 'ok',
    timestamp: options.clock.now().toISOString(),
    version: VERSION,
  }));

  app.get('/ready', async (request, reply) => {
    const problem = await readiness();
    if (problem !== undefined) {
      request.log.warn({ err: problem }, 'readiness check failed: database cannot be read or written');
      throw new AppError(ERRORS.DATABASE_UNAVAILABLE, {
        cause: problem,
        headers: { 'Retry-After': RETRY_AFTER_SECONDS },
      });
    }
    return reply.type('text/plain; charset=utf-8').send('ready');
  });

  app.get('/live', (_request, reply) => reply.type('text/plain; charset=utf-8').send('alive'));
}

/**
 * Reads and writes the database (a rolled-back table creation), at most once per {@link READY_CACHE_MS}:
 * calls in between, and calls while a check runs, share its answer — undefined when ready, else the error.
 */
function createReadinessCheck(options: ProbeOptions): () => Promise<unknown> {
  let checkedAt = Number.NEGATIVE_INFINITY;
  let answer: Promise<unknown> | undefined;
  return function checkReadiness() {
    const now = options.clock.now().getTime();
    if (answer === undefined || now - checkedAt >= READY_CACHE_MS) {
      checkedAt = now;
      answer = withTimeout(
        options.store.ping().then(() => options.store.probeWrite()),
        READY_TIMEOUT_MS,
      ).then(
        () => undefined,
        (error: unknown) => error,
      );
    }
    return answer;
  };
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no answer within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
