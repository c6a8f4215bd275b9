import { AppError, ERRORS, hashToken, systemClock, tokenFormatProblem } from '../core/index.js';
import type { Clock } from '../core/index.js';
import type { Project, Store, TokenRecord } from '../store/index.js';
import type { InvalidationEvent } from './invalidation-bus.js';
import { TtlCache } from './ttl-cache.js';

/** Options for {@link TokenAuthority}. */
export interface TokenAuthorityOptions {
  readonly store: Store;
  readonly clock: Clock;
  /** How long a looked-up token or project is trusted without asking the database again. @default 30000 */
  readonly cacheTtlMs?: number;
  /** @default 10000 */
  readonly cacheMaxEntries?: number;
}

/** A token that passed every check, with its project (whose own state the project guard checks). */
export interface ProxyCredentials {
  readonly token: TokenRecord;
  readonly project: Project;
}

/**
 * Decides whether a proxy token may be used, without a database round-trip in steady state: tokens (keyed by
 * the presented secret, including unknown ones, so a hit costs no hashing) and projects are cached in-process.
 * Every management change invalidates the entries it touches before its response is sent, so a revoked token
 * is refused on the very next request — and, through the invalidation bus, on every other instance moments
 * later; the TTL is only a backstop. An epoch counter keeps a lookup that raced with an invalidation from
 * caching stale data.
 */
export class TokenAuthority {
  private readonly tokens: TtlCache<string, TokenRecord | null>;
  private readonly projects: TtlCache<string, Project | null>;
  private readonly nowMs: () => number;
  private epoch = 0;

  constructor(private readonly options: TokenAuthorityOptions) {
    const { clock } = options;
    // The wall clock without a Date allocation on every request; injected clocks (tests) go through now().
    this.nowMs = clock === systemClock ? Date.now : () => clock.now().getTime();
    const cacheOptions = {
      ttlMs: options.cacheTtlMs ?? 30_000,
      maxEntries: options.cacheMaxEntries ?? 10_000,
      now: this.nowMs,
    };
    this.tokens = new TtlCache(cacheOptions);
    this.projects = new TtlCache(cacheOptions);
  }

  /**
   * Checks a presented secret in the original program's order: format, existence, active, expiry; the project
   * guard follows as a step of its own. Throws an {@link AppError} with the original's `code` on refusal.
   */
  async authenticate(secret: string): Promise<ProxyCredentials> {
    const cached = this.authenticateCached(secret);
    if (cached !== undefined) return cached;
    const token = await this.lookupToken(secret);
    const project = token === null ? null : await this.lookupProject(token.projectId);
    return this.decide(token, project);
  }

  /**
   * The same checks answered from the cache alone, synchronously: undefined when the token or its project is
   * not cached (then {@link authenticate} asks the database).
   */
  authenticateCached(secret: string): ProxyCredentials | undefined {
    // One clock reading for every check of this request.
    const now = this.nowMs();
    const token = this.tokens.get(secret, now);
    if (token === undefined) return undefined;
    if (token === null) return this.decide(null, null, now);
    const project = this.projects.get(token.projectId, now);
    if (project === undefined) return undefined;
    return this.decide(token, project, now);
  }

  /** Applies an event of the invalidation bus (subscribe this method, bound, to the bus). */
  applyInvalidation(event: InvalidationEvent): void {
    switch (event.type) {
      case 'token-changed':
        this.invalidateToken(event.tokenId);
        return;
      case 'project-changed':
        this.invalidateProject(event.projectId);
        return;
      case 'resync':
        this.invalidateAll();
        return;
      case 'cache-purged':
        // The response cache's concern: no token or project changed.
        return;
      default:
        ignoreUnknown(event);
    }
  }

  /** Forgets everything (changes may have been missed). */
  invalidateAll(): void {
    this.epoch += 1;
    this.tokens.clear();
    this.projects.clear();
  }

  /** Forgets one token (after an update or revocation). */
  invalidateToken(tokenId: string): void {
    this.epoch += 1;
    this.tokens.deleteWhere((token) => token?.id === tokenId);
  }

  /** Forgets a project and every token of it. */
  invalidateProject(projectId: string): void {
    this.epoch += 1;
    this.projects.delete(projectId);
    this.tokens.deleteWhere((token) => token?.projectId === projectId);
  }

  private decide(token: TokenRecord | null, project: Project | null, now = this.nowMs()): ProxyCredentials {
    if (token === null) throw new AppError(ERRORS.TOKEN_NOT_FOUND);
    if (!token.isActive) throw new AppError(ERRORS.TOKEN_INACTIVE);
    if (token.expiresAt !== null && token.expiresAt.getTime() <= now) {
      throw new AppError(ERRORS.TOKEN_EXPIRED);
    }
    if (project === null) throw new AppError(ERRORS.TOKEN_NOT_FOUND);
    return { token, project };
  }

  private async lookupToken(secret: string): Promise<TokenRecord | null> {
    const problem = tokenFormatProblem(secret);
    if (problem !== undefined) {
      throw new AppError(ERRORS.INVALID_TOKEN, { message: `invalid token format: ${problem}` });
    }
    const epoch = this.epoch;
    const token = (await this.options.store.tokens.findByHash(hashToken(secret))) ?? null;
    if (epoch === this.epoch) this.tokens.set(secret, token);
    return token;
  }

  private async lookupProject(projectId: string): Promise<Project | null> {
    const cached = this.projects.get(projectId);
    if (cached !== undefined) return cached;
    const epoch = this.epoch;
    const project = (await this.options.store.projects.get(projectId)) ?? null;
    if (epoch === this.epoch) this.projects.set(projectId, project);
    return project;
  }
}

/** Exhaustiveness check: an event type added to the union fails to compile here until it is handled. */
function ignoreUnknown(_event: never): void {
  // Nothing cached here depends on an event of another type.
}
