import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

import { isAppError } from '../../core/index.js';
import type { Logger } from '../../core/index.js';
import { html } from './html.js';
import { renderBarePage, renderSignedInLayout } from './layout.js';
import { ManagementApiError } from '../api/management-api.js';
import { findAdminContext } from './page-context.js';

/** What an error page says, by status, when the error's own message is not for the browser. */
const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Too Large',
  415: 'Unsupported Form',
  429: 'Too Many Requests',
  502: 'Management API Unreachable',
  503: 'Unavailable',
};

/**
 * The admin UI's error handler: every error becomes an HTML page (never JSON) with the status and the
 * API's or catalog's safe message; unexpected errors are logged and shown only as "internal server error".
 */
export function createHtmlErrorHandler(basePath: string, logger: Logger) {
  return function answerWithErrorPage(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    const { status, message } = describe(error);
    if (status >= 500 && !(error instanceof ManagementApiError) && !isAppError(error)) {
      logger.error({ err: error, reqId: request.id }, 'admin UI request failed');
    }
    return sendErrorPage(request, reply, basePath, status, message);
  };
}

/** Answers an HTML error page, inside the signed-in layout when the request has a session. */
export function sendErrorPage(
  request: FastifyRequest,
  reply: FastifyReply,
  basePath: string,
  status: number,
  message: string,
): FastifyReply {
  const title = TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Error');
  const body = html`<div class="alert alert-danger" role="alert">
      <p class="mb-1"><strong>${status}</strong> ${message}</p>
    </div>
    <p><a href="${basePath}/dashboard">Back to the dashboard</a></p>`;
  const context = findAdminContext(request);
  const page =
    context === undefined
      ? renderBarePage(
          basePath,
          title,
          html`<h1 class="h3">${title}</h1>
            ${body}`,
        )
      : renderSignedInLayout(context, { title, section: 'dashboard', body }, undefined);
  return reply.code(status).type('text/html; charset=utf-8').send(page);
}

function describe(error: FastifyError): { status: number; message: string } {
  if (error instanceof ManagementApiError) return { status: error.status, message: error.message };
  if (isAppError(error)) return { status: error.statusCode, message: error.message };
  const status = error.statusCode ?? 500;
  if (status < 500) return { status, message: error.message };
  return { status: 500, message: 'internal server error' };
}
