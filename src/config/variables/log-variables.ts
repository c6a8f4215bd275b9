import { Type } from '@sinclair/typebox';

import { parseDuration } from '../parse-values.js';
import { variable } from '../variable-declaration.js';

/** The `log` and `audit` sections: process logs, the access log and the audit trail. */
export const LOG_VARIABLES = {
  LOG_LEVEL: variable({
    section: 'log',
    schema: Type.Union([
      Type.Literal('debug'),
      Type.Literal('info'),
      Type.Literal('warn'),
      Type.Literal('error'),
    ]),
    default: 'info',
    description: '`debug`, `info`, `warn` or `error`.',
  }),
  LOG_FORMAT: variable({
    section: 'log',
    schema: Type.Union([Type.Literal('json'), Type.Literal('console'), Type.Literal('text')]),
    default: 'json',
    description:
      "`json` (one object per line) or `console` (human-readable); `text`, as the original program's `.env.example` writes it, means `console`.",
  }),
  LOG_LAYOUT: variable({
    section: 'log',
    schema: Type.Union([Type.Literal('pino'), Type.Literal('original')]),
    default: 'pino',
    description:
      "Keys of JSON lines: `pino` (`time`, numeric `level`, `msg`) or `original` (the original program's `ts`, textual `level`, `msg`, for log pipelines built on it).",
  }),
  LOG_ACCESS: variable({
    section: 'log',
    schema: Type.Boolean(),
    default: true,
    description:
      'One info line per proxied request (`/v1`): request id, project, token id, provider, endpoint, model, status, duration, bytes.',
  }),
  LOG_FILE: variable({
    section: 'log',
    schema: Type.String(),
    default: '',
    description: 'Append logs to this file instead of standard output.',
  }),
  DEBUG: variable({
    section: 'log',
    schema: Type.Boolean(),
    default: false,
    description: 'Same as `LOG_LEVEL=debug`.',
  }),
  AUDIT_ENABLED: variable({
    section: 'audit',
    schema: Type.Boolean(),
    default: true,
    description: 'Record management actions in the audit log.',
  }),
  AUDIT_LOG_FILE: variable({
    section: 'audit',
    schema: Type.String(),
    default: './data/audit.log',
    description: 'JSONL audit file; empty keeps the audit log in the database only.',
  }),
  AUDIT_CREATE_DIR: variable({
    section: 'audit',
    schema: Type.Boolean(),
    default: true,
    description: "Create the audit file's folder when missing.",
  }),
  AUDIT_STORE_IN_DB: variable({
    section: 'audit',
    schema: Type.Boolean(),
    default: true,
    description: 'Also store audit events in the `audit_events` table (needed by `GET /manage/audit`).',
  }),
  AUDIT_RETENTION: variable({
    section: 'audit',
    schema: Type.Integer({ minimum: 0 }),
    parse: parseDuration,
    default: 0,
    defaultText: '0',
    description:
      'Delete audit events older than this from the database (e.g. `90d`), at start and then hourly; `0` keeps them forever. The JSONL file is left to log rotation.',
  }),
};
