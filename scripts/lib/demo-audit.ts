/** The demo audit trail: a week of management calls by a few operators, with a refused sign-in or two. */
import { newId } from '../../src/core/index.js';
import type { AuditOutcome, Store } from '../../src/store/index.js';

const DAY_MS = 24 * 3_600_000;

/** What an audit event tells about the token it concerns. */
export interface AuditedToken {
  readonly id: string;
  readonly projectId: string;
  readonly preview: string;
}

type AuditKind = readonly [action: string, method: string, path: (token: AuditedToken) => string];
const AUDIT_KINDS: readonly AuditKind[] = [
  ['admin.login', 'POST', () => '/manage/admin/sign-in'],
  ['token.create', 'POST', () => '/manage/tokens'],
  ['token.list', 'GET', () => '/manage/tokens'],
  ['token.read', 'GET', (token) => `/manage/tokens/${token.id}`],
  ['token.revoke', 'DELETE', (token) => `/manage/tokens/${token.id}`],
  ['project.list', 'GET', () => '/manage/projects'],
  ['project.update', 'PATCH', (token) => `/manage/projects/${token.projectId}`],
  ['cache.purge', 'POST', () => '/manage/cache/purge'],
];

/** The office and VPN addresses the operators work from. */
const OPERATOR_IPS = ['10.20.4.17', '10.20.4.52', '172.16.9.3'];

/** About forty management events over the week, mostly from the admin UI, a few refused. */
export async function seedAudit(
  store: Store,
  tokens: AuditedToken[],
  random: () => number,
  now: Date,
): Promise<void> {
  const count = 42;
  for (let index = 0; index < count; index += 1) {
    // A refused sign-in and a failed change now and then, the first of each among the newest events.
    const outcome: AuditOutcome = index % 13 === 2 ? 'denied' : index % 11 === 6 ? 'failure' : 'success';
    const kind =
      outcome === 'denied' ? AUDIT_KINDS[0] : AUDIT_KINDS[Math.floor(random() * AUDIT_KINDS.length)];
    const [action, method, path] = kind ?? ['admin.login', 'POST', () => '/manage/admin/sign-in'];
    const token = tokens[Math.floor(random() * tokens.length)] ?? { id: '', projectId: '', preview: '' };
    const aboutToken = action.startsWith('token.') && action !== 'token.list';
    const fromUi = random() < 0.7;
    await store.audit.insert({
      id: newId(),
      timestamp: new Date(now.getTime() - Math.floor(((index + random()) / count) * 7 * DAY_MS)),
      action,
      actor: 'management_api',
      projectId: aboutToken || action === 'project.update' ? token.projectId : null,
      requestId: newId(),
      correlationId: null,
      clientIp: outcome === 'denied' ? '203.0.113.77' : (OPERATOR_IPS[Math.floor(random() * 3)] ?? null),
      method,
      path: path(token),
      userAgent: fromUi ? 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Firefox/128.0' : 'curl/8.7.1',
      outcome,
      reason:
        outcome === 'denied'
          ? 'invalid management token'
          : outcome === 'failure'
            ? 'validation failed'
            : null,
      tokenId: aboutToken && outcome === 'success' ? token.preview : null,
      metadata: JSON.stringify({
        ...(fromUi && { origin: 'admin-ui' }),
        ...(aboutToken && { token_record_id: token.id }),
      }),
    });
  }
}
