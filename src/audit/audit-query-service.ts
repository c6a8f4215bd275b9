import { AppError, ERRORS } from '../core/index.js';
import type { AuditEventRecord, AuditFilter, AuditOutcome, Store } from '../store/index.js';

/** Largest audit page; larger requests are clamped to it. */
export const MAX_PAGE_SIZE = 100;
/** Audit page size when none is asked for. */
export const DEFAULT_PAGE_SIZE = 20;

const ISO_8601 =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+\- ]\d{2}(?::?\d{2})?)?)?$/i;

/** An audit search as the API accepts it (all strings, as in the query string). */
export interface AuditQueryInput {
  readonly action?: string | undefined;
  readonly actor?: string | undefined;
  readonly clientIp?: string | undefined;
  readonly projectId?: string | undefined;
  readonly outcome?: AuditOutcome | undefined;
  readonly requestId?: string | undefined;
  readonly correlationId?: string | undefined;
  readonly method?: string | undefined;
  readonly path?: string | undefined;
  readonly search?: string | undefined;
  readonly startTime?: string | undefined;
  readonly endTime?: string | undefined;
  readonly page?: number | undefined;
  readonly pageSize?: number | undefined;
}

/** One page of audit events with its position. */
export interface AuditQueryResult {
  readonly events: AuditEventRecord[];
  readonly page: number;
  readonly pageSize: number;
  readonly totalCount: number;
  readonly totalPages: number;
}

/** Reading the audit trail, on plain values. */
export interface AuditQueryService {
  list(input: AuditQueryInput): Promise<AuditQueryResult>;
  get(id: string): Promise<AuditEventRecord>;
}

/** Builds the audit query service on a store. */
export function createAuditQueryService(store: Store): AuditQueryService {
  return {
    async list(input) {
      const filter = toFilter(input);
      const page = input.page ?? 1;
      // Compatibility: the original clamps oversized pages to 100 instead of refusing them.
      const pageSize = Math.min(input.pageSize ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
      const result = await store.audit.list(filter, page, pageSize);
      return {
        events: result.events,
        page,
        pageSize,
        totalCount: result.totalCount,
        totalPages: Math.ceil(result.totalCount / pageSize),
      };
    },

    async get(id) {
      const event = await store.audit.get(id);
      if (!event) throw new AppError(ERRORS.AUDIT_EVENT_NOT_FOUND);
      return event;
    },
  };
}

function toFilter(input: AuditQueryInput): AuditFilter {
  const startTime = parseTime('start_time', input.startTime);
  const endTime = parseTime('end_time', input.endTime);
  if (startTime && endTime && startTime > endTime) {
    throw new AppError(ERRORS.VALIDATION_FAILED, { message: 'start_time must not be after end_time' });
  }
  return {
    action: nonEmpty(input.action),
    actor: nonEmpty(input.actor),
    clientIp: nonEmpty(input.clientIp),
    projectId: nonEmpty(input.projectId),
    outcome: input.outcome,
    requestId: nonEmpty(input.requestId),
    correlationId: nonEmpty(input.correlationId),
    method: nonEmpty(input.method),
    path: nonEmpty(input.path),
    search: nonEmpty(input.search),
    startTime,
    endTime,
  };
}

/** An empty query parameter (`?action=`) means "no filter", as in the original. */
function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** ISO 8601 date or date-time; without an offset it is read as UTC (the audit log's time zone). */
function parseTime(name: string, value: string | undefined): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const match = ISO_8601.exec(value.trim());
  const time = match ? new Date(normaliseIso(match)) : undefined;
  if (!time || Number.isNaN(time.getTime())) {
    throw new AppError(ERRORS.VALIDATION_FAILED, {
      message: `${name} must be an ISO 8601 date-time (e.g. 2025-01-31T12:00:00Z)`,
    });
  }
  return time;
}

/** Rewrites the accepted ISO 8601 variants into the one form `Date` parses reliably. */
function normaliseIso(match: RegExpExecArray): string {
  const [, date = '', hours = '00', minutes = '00', seconds = '00', fraction = '', zone = ''] = match;
  const millis = (fraction.slice(1) + '000').slice(0, 3);
  return `${date}T${hours}:${minutes}:${seconds}.${millis}${normaliseZone(zone)}`;
}

function normaliseZone(zone: string): string {
  if (zone === '' || zone.toUpperCase() === 'Z') return 'Z';
  // An unencoded `+` in a query string arrives as a space.
  const sign = zone.startsWith('-') ? '-' : '+';
  const digits = zone.slice(1).replace(':', '');
  return `${sign}${digits.slice(0, 2)}:${(digits.slice(2) + '00').slice(0, 2)}`;
}
