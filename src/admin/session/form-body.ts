import type { FastifyInstance } from 'fastify';

import { AppError, ERRORS } from '../../core/index.js';

/** Largest form the UI reads: a project's key and name fit many times over. */
const FORM_BODY_LIMIT = 64 * 1024;

/** A submitted form: field name to value; of a repeated name the last one wins (hidden false + checkbox true). */
export type FormFields = Readonly<Record<string, string>>;

/** Reads `application/x-www-form-urlencoded` bodies into {@link FormFields}; every other type is 415. */
export function registerFormParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
    function parseForm(_request, body, done) {
      const fields: Record<string, string> = Object.create(null) as Record<string, string>;
      for (const [name, value] of new URLSearchParams(body as string)) fields[name] = value;
      done(null, fields);
    },
  );
  app.addContentTypeParser('*', function refuseOtherBodies(_request, _payload, done) {
    done(
      new AppError(ERRORS.UNSUPPORTED_MEDIA_TYPE, {
        message: 'forms are sent as application/x-www-form-urlencoded',
      }),
    );
  });
}

/** The form of a request (empty when it had no body). */
export function formOf(body: unknown): FormFields {
  return typeof body === 'object' && body !== null ? (body as FormFields) : {};
}

/** A form field, trimmed; undefined when absent. */
export function field(form: FormFields, name: string): string | undefined {
  const value = form[name];
  return value === undefined ? undefined : value.trim();
}
