import type { FastifyInstance } from 'fastify';

import { AppError, ERRORS, VERSION } from '../core/index.js';
import type { Clock } from '../core/index.js';
import type { Store } from '../store/index.js';

/** How long `/ready` waits for the database before declaring it unavailable. */
const READY_TIMEOUT_MS = 2000;

/** What the probes look at. */
export interface ProbeOptions {
  readonly store: Store;
  readonly clock: Clock;
}

/** Registers `/health` (version), `/ready` (database reachable) and `/live` (process up). */
export function registerProbes(app: FastifyInstance, options: ProbeOptions): void {
  app.get('/health', () => ({
    status: 'ok',
    timestamp: options.clock.now().toISOString(),
    version: VERSION,
  }));

  app.get('/ready', async (request, reply) => {
    try {
      await withTimeout(options.store.ping(), READY_TIMEOUT_MS);
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check failed: database unavailable');
      throw new AppError(ERRORS.DATABASE_UNAVAILABLE, { cause: error });
    }
    return reply.type('text/plain; charset=utf-8').send('ready');
  });

  app.get('/live', (_request, reply) => reply.type('text/plain; charset=utf-8').send('alive'));
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
