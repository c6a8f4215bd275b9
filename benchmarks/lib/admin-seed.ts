import { generateToken, hashToken, newId, tokenPreview } from '../../src/core/index.js';
import type { Store, UsageDelta } from '../../src/store/index.js';
import { ZERO_USAGE } from '../../src/store/index.js';

/** How much data the admin pages are measured against (the figures by default). */
export interface AdminSeedSize {
  readonly projects: number;
  readonly tokens: number;
  readonly auditEvents: number;
  /** Days of hourly usage, for every project. */
  readonly usageDays: number;
}

/** What was seeded, for the pages to ask about. */
export interface AdminSeed {
  readonly projectIds: readonly string[];
  readonly tokenIds: readonly string[];
  readonly auditEventIds: readonly string[];
}

const HOUR_MS = 3_600_000;
const MODELS = ['gpt-4o-mini', 'gpt-4o', 'claude-sonnet-4-5'];
const ACTIONS = [
  'token.create',
  'token.revoke',
  'project.update',
  'project.list',
  'token.list',
  'admin.login',
];
const OUTCOMES = ['success', 'success', 'success', 'failure', 'denied'] as const;

/**
 * Fills a store through its repositories: projects, tokens spread over them (some expired, some revoked, some
 * limited), audit events over the last 30 days, and hourly usage of every project for `usageDays` days.
 */
export async function seedAdminData(store: Store, size: AdminSeedSize, now: Date): Promise<AdminSeed> {
  const projectIds: string[] = [];
  for (let index = 0; index < size.projects; index += 1) {
    const project = await store.projects.create({
      name: `bench-project-${String(index).padStart(3, '0')}`,
      apiKey: `sk-bench-${newId()}`,
    });
    projectIds.push(project.id);
  }
  const tokenIds: string[] = [];
  for (let index = 0; index < size.tokens; index += 1) {
    const secret = generateToken();
    const token = await store.tokens.create({
      projectId: projectIds[index % projectIds.length] ?? '',
      tokenHash: hashToken(secret),
      preview: tokenPreview(secret),
      // A tenth already expired, the rest valid for days.
      expiresAt: new Date(now.getTime() + (index % 10 === 0 ? -HOUR_MS : 7 * 24 * HOUR_MS)),
      maxRequests: index % 4 === 0 ? 1000 : null,
    });
    if (index % 7 === 0) await store.tokens.revoke(token.id);
    tokenIds.push(token.id);
  }
  const auditEventIds: string[] = [];
  for (let index = 0; index < size.auditEvents; index += 1) {
    const id = newId();
    await store.audit.insert({
      id,
      timestamp: new Date(now.getTime() - ((index * 26_000) % (30 * 24 * HOUR_MS))),
      action: ACTIONS[index % ACTIONS.length] ?? 'token.create',
      actor: 'management_api',
      projectId: projectIds[index % projectIds.length] ?? null,
      requestId: newId(),
      correlationId: null,
      clientIp: `10.0.${String(index % 250)}.${String(index % 200)}`,
      method: 'POST',
      path: '/manage/tokens',
      userAgent: 'bench/1',
      outcome: OUTCOMES[index % OUTCOMES.length] ?? 'success',
      reason: null,
      tokenId: null,
      metadata: JSON.stringify({ origin: 'admin-ui', index }),
    });
    auditEventIds.push(id);
  }
  const firstHour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS - size.usageDays * 24 * HOUR_MS;
  for (const [projectIndex, projectId] of projectIds.entries()) {
    const rows: UsageDelta[] = [];
    for (let hour = 0; hour < size.usageDays * 24; hour += 1) {
      rows.push({
        ...ZERO_USAGE,
        projectId,
        tokenId: tokenIds[projectIndex] ?? '',
        model: MODELS[(projectIndex + hour) % MODELS.length] ?? 'gpt-4o-mini',
        hour: new Date(firstHour + hour * HOUR_MS),
        requests: 10 + (hour % 7),
        inputTokens: 1200 + hour,
        outputTokens: 300 + (hour % 50),
        errors: hour % 11 === 0 ? 1 : 0,
        cacheHits: hour % 5,
        costUsd: 0.0042,
      });
    }
    await store.usage.add(rows);
  }
  return { projectIds, tokenIds, auditEventIds };
}
