import type { Logger as PinoLogger } from 'pino';

/** The structured logger every library module receives by injection (pino, shared with Fastify). */
export type Logger = PinoLogger;
