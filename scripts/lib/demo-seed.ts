/**
 * A small, believable data set for the admin UI screenshots: a handful of team projects (one switched off),
 * about 25 tokens among them (some expired, revoked or limited), a week of hourly usage and a few dozen audit
 * events. Everything goes through the store's repositories; numbers come from a seeded generator, so every run
 * draws the same pictures.
 */
import { generateToken, hashToken, newId, tokenPreview } from '../../src/core/index.js';
import type { Store, UsageDelta } from '../../src/store/index.js';
import { ZERO_USAGE } from '../../src/store/index.js';
import { seedAudit } from './demo-audit.js';
import type { AuditedToken } from './demo-audit.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

interface DemoProject {
  readonly name: string;
  /** Requests in a busy hour. */
  readonly peak: number;
  readonly models: readonly string[];
  readonly tokens: readonly string[];
  /** Created this many days ago. */
  readonly ageDays: number;
  /** Switched off this many days ago (no usage since then). */
  readonly inactiveSinceDays?: number;
}

const PROJECTS: readonly DemoProject[] = [
  {
    name: 'search-assistant',
    ageDays: 140,
    peak: 420,
    models: ['gpt-4o-mini', 'gpt-4o'],
    tokens: ['prod-web', 'prod-api', 'staging', 'load-test', 'ci', 'notebook-maria', 'old-prod'],
  },
  {
    name: 'support-bot',
    ageDays: 95,
    peak: 260,
    models: ['gpt-4o-mini', 'gpt-4.1-mini'],
    tokens: ['zendesk-widget', 'email-triage', 'staging', 'ci', 'pilot-eu', 'demo-booth'],
  },
  {
    name: 'data-labeling',
    ageDays: 60,
    peak: 140,
    models: ['gpt-4.1-mini', 'gpt-4o'],
    tokens: ['batch-runner', 'review-ui', 'contractor-a', 'contractor-b', 'backfill-q3'],
  },
  {
    name: 'internal-tools',
    ageDays: 45,
    peak: 60,
    models: ['gpt-4o-mini'],
    tokens: ['slack-bot', 'wiki-summaries', 'jupyter-shared', 'hackday'],
  },
  {
    name: 'marketing-copy',
    ageDays: 30,
    peak: 35,
    models: ['gpt-4o'],
    tokens: ['cms-plugin', 'campaign-tests', 'agency'],
    inactiveSinceDays: 3,
  },
];

/** US dollars per million input / output tokens, for believable cost figures. */
const PRICES: Record<string, readonly [number, number]> = {
  'gpt-4o-mini': [0.15, 0.6],
  'gpt-4o': [2.5, 10],
  'gpt-4.1-mini': [0.4, 1.6],
};

/** A small deterministic generator (mulberry32), so the screenshots do not change from run to run. */
function randomSource(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** How busy an hour of the day (UTC) is, between about 0.1 at night and 1 in the afternoon. */
function dailyShape(hourOfDay: number, weekend: boolean): number {
  const daytime = Math.max(0, Math.sin(((hourOfDay - 6) / 14) * Math.PI));
  return (0.1 + 0.9 * daytime) * (weekend ? 0.45 : 1);
}

/**
 * Seeds the demo data; returns the project ids in the order of {@link PROJECTS}. `setTime` moves the store's
 * clock (undefined: back to the real time), so that projects and tokens get creation dates spread over months.
 */
export async function seedDemoData(
  store: Store,
  now: Date,
  setTime: (at: Date | undefined) => void,
): Promise<string[]> {
  const random = randomSource(20_240_611);
  const ago = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const projectIds: string[] = [];
  const tokenIds = new Map<string, string[]>();
  const tokens: AuditedToken[] = [];
  for (const [projectIndex, demo] of PROJECTS.entries()) {
    setTime(ago(demo.ageDays));
    const project = await store.projects.create({ name: demo.name, apiKey: `sk-proj-${newId()}` });
    projectIds.push(project.id);
    const ids: string[] = [];
    for (const [index, name] of demo.tokens.entries()) {
      // The first tokens are as old as the project, later ones newer, none younger than a week.
      setTime(ago(demo.ageDays * (1 - index / demo.tokens.length) - random()));
      const secret = generateToken();
      const expired = name === 'backfill-q3' || name === 'pilot-eu' || name === 'hackday';
      const limited = name.startsWith('contractor') || name === 'demo-booth' || name === 'load-test';
      const token = await store.tokens.create({
        projectId: project.id,
        tokenHash: hashToken(secret),
        preview: tokenPreview(secret),
        name,
        expiresAt: expired ? ago(2 + index) : index % 3 === 0 ? null : ago(-(10 + projectIndex * 7 + index)),
        maxRequests: limited ? (name === 'demo-booth' ? 40 : 5000) : null,
      });
      ids.push(token.id);
      tokens.push({ id: token.id, projectId: project.id, preview: token.preview ?? '' });
    }
    tokenIds.set(project.id, ids);
  }
  setTime(ago(4));
  for (const [index, token] of tokens.entries()) {
    const name = PROJECTS.flatMap((demo) => demo.tokens)[index];
    if (name === 'old-prod' || name === 'agency' || name === 'contractor-b')
      await store.tokens.revoke(token.id);
  }
  for (const [index, demo] of PROJECTS.entries()) {
    if (demo.inactiveSinceDays === undefined) continue;
    setTime(ago(demo.inactiveSinceDays));
    await store.projects.update(projectIds[index] ?? '', { isActive: false });
  }
  setTime(undefined);

  // A week of hourly usage: every project follows the working day, each at its own scale.
  const firstHour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS - 7 * DAY_MS;
  const perToken = new Map<string, { requests: number; cacheHits: number }>();
  for (const [projectIndex, demo] of PROJECTS.entries()) {
    const projectId = projectIds[projectIndex] ?? '';
    const ids = tokenIds.get(projectId) ?? [];
    const stopAt =
      demo.inactiveSinceDays === undefined ? Infinity : now.getTime() - demo.inactiveSinceDays * DAY_MS;
    const rows: UsageDelta[] = [];
    for (let hour = 0; hour < 7 * 24; hour += 1) {
      const start = new Date(firstHour + hour * HOUR_MS);
      if (start.getTime() >= stopAt) break;
      const weekend = start.getUTCDay() === 0 || start.getUTCDay() === 6;
      for (const [modelIndex, model] of demo.models.entries()) {
        const share = modelIndex === 0 ? 0.75 : 0.25;
        const requests = Math.round(
          demo.peak * share * dailyShape(start.getUTCHours(), weekend) * (0.7 + random() * 0.6),
        );
        if (requests === 0) continue;
        const tokenId = ids[Math.floor(random() * Math.min(ids.length, 3))] ?? '';
        const inputTokens = requests * Math.round(600 + random() * 900);
        const outputTokens = requests * Math.round(120 + random() * 260);
        const cacheHits = Math.round(requests * (0.05 + random() * 0.2));
        const [inPrice, outPrice] = PRICES[model] ?? [0, 0];
        rows.push({
          ...ZERO_USAGE,
          projectId,
          tokenId,
          model,
          hour: start,
          requests,
          inputTokens,
          outputTokens,
          cachedTokens: Math.round(inputTokens * 0.3),
          cacheHits,
          errors: random() < 0.15 ? Math.ceil(requests * random() * 0.04) : 0,
          costUsd: (inputTokens * inPrice + outputTokens * outPrice) / 1e6,
        });
        const counted = perToken.get(tokenId) ?? { requests: 0, cacheHits: 0 };
        perToken.set(tokenId, {
          requests: counted.requests + requests - cacheHits,
          cacheHits: counted.cacheHits + cacheHits,
        });
      }
    }
    await store.usage.add(rows);
  }
  await store.tokens.addUsage(
    [...perToken].map(([id, counted]) => ({
      id,
      ...counted,
      lastUsedAt: new Date(now.getTime() - random() * 6 * HOUR_MS),
    })),
  );
  // The booth demo token used up its small quota.
  const booth = tokenIds.get(projectIds[1] ?? '')?.[5] ?? '';
  for (let request = 0; request < 40; request += 1) await store.tokens.consumeRequest(booth, now);

  await seedAudit(store, tokens, random, now);
  return projectIds;
}
