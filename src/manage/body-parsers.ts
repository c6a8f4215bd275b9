import type { FastifyInstance, FastifyRequest } from 'fastify';

import { AppError, ERRORS } from '../core/index.js';

/** Content types whose body is read as JSON: JSON itself and curl's default for `-d` (the original reads it). */
const JSON_TYPES = ['application/json', 'application/x-www-form-urlencoded'];

type ParserDone = (error: Error | null, body?: unknown) => void;

/**
 * Reads management request bodies as JSON: sent as `application/json`, as curl's default form type or with no
 * type at all, as the original program accepts them. An empty body (a DELETE or a revoke sent with a JSON
 * type) is no body. Any other type is answered 415.
 */
export function registerManagementBodyParsers(app: FastifyInstance, bodyLimit: number): void {
  const json = app.getDefaultJsonParser('error', 'error');
  const parseJson = function parseManagementJson(request: FastifyRequest, body: string, done: ParserDone) {
    if (body.trim() === '') {
      done(null, undefined);
      return;
    }
    void json(request, body, done);
  };
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'string', bodyLimit }, parseJson);
  // Fastify hands a body without Content-Type to the catch-all parser.
  app.addContentTypeParser(
    '*',
    { parseAs: 'string', bodyLimit },
    function parseUntypedBody(request, body, done) {
      if (request.headers['content-type'] !== undefined) {
        done(new AppError(ERRORS.UNSUPPORTED_MEDIA_TYPE));
        return;
      }
      parseJson(request, body as string, done);
    },
  );
}
