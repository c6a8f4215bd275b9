import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { AppError, ERRORS, secretsEqual } from '../core/index.js';
import type { ProxyMetrics } from '../metrics/index.js';

/** Options of {@link registerMetricsRoutes}. */
export interface MetricsRoutesOptions {
  readonly metrics: ProxyMetrics;
  /** JSON path; Prometheus text is served at `<path>/prometheus`. */
  readonly path: string;
  /** When set, both endpoints require `Authorization: Bearer <management token>`. */
  readonly managementToken: string | undefined;
}

/** Serves the metrics as JSON (the original's keys) and as Prometheus text. */
export function registerMetricsRoutes(app: FastifyInstance, options: MetricsRoutesOptions): void {
  const guard = async (request: FastifyRequest): Promise<void> => {
    if (options.managementToken === undefined) return;
    const header = request.headers.authorization;
    if (header?.startsWith('Bearer ') !== true || header.length === 'Bearer '.length) {
      throw new AppError(ERRORS.MANAGEMENT_AUTH_MISSING);
    }
    if (!secretsEqual(header.slice('Bearer '.length), options.managementToken)) {
      throw new AppError(ERRORS.MANAGEMENT_TOKEN_INVALID);
    }
    await Promise.resolve();
  };
  app.get(
    options.path,
    { onRequest: guard, schema: { hide: true } },
    async (_request, reply: FastifyReply) => {
      await reply.header('cache-control', 'no-store').send(options.metrics.snapshot());
    },
  );
  app.get(
    `${options.path}/prometheus`,
    { onRequest: guard, schema: { hide: true } },
    async (_request, reply) => {
      const text = await options.metrics.prometheusText();
      await reply.header('cache-control', 'no-store').type(options.metrics.contentType).send(text);
    },
  );
}
