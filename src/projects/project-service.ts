import { AppError, ERRORS, looksObfuscated } from '../core/index.js';
import { DuplicateProjectNameError } from '../store/index.js';
import type { BulkRevokeResult, Project, ProjectChanges, Store } from '../store/index.js';

/** Longest cache TTL an operator may give a project's POST answers: one year, in seconds. */
export const MAX_CACHE_POST_TTL_SECONDS = 31_536_000;

/** Fields of a new project. */
export interface CreateProjectInput {
  readonly name: string;
  readonly apiKey: string;
  /** Absent means the default provider. */
  readonly provider?: string | undefined;
  /** Seconds POST answers are cached without the client opting in; null or absent means off. */
  readonly cachePostTtlSeconds?: number | null | undefined;
}

/** A project update as the API accepts it; absent fields stay unchanged. */
export interface UpdateProjectInput {
  readonly name?: string | undefined;
  /** An empty string leaves the key unchanged (the original admin UI sends it that way). */
  readonly apiKey?: string | undefined;
  /** null returns the project to the default provider. */
  readonly provider?: string | null | undefined;
  /** null turns the project's POST cache TTL off. */
  readonly cachePostTtlSeconds?: number | null | undefined;
  readonly isActive?: boolean | undefined;
  /** Only allowed together with `isActive: false`. */
  readonly revokeTokens?: boolean | undefined;
}

/** What an update did. */
export interface ProjectUpdateResult {
  readonly project: Project;
  /** API names of the fields that were applied. */
  readonly updatedFields: string[];
  /** Tokens revoked by `revoke_tokens`, when it was asked for. */
  readonly tokensRevoked: number | undefined;
}

/** Project use cases of the management API, on plain values. */
export interface ProjectService {
  list(): Promise<Project[]>;
  get(id: string): Promise<Project>;
  create(input: CreateProjectInput): Promise<Project>;
  update(id: string, input: UpdateProjectInput): Promise<ProjectUpdateResult>;
  revokeTokens(id: string): Promise<BulkRevokeResult>;
}

/** Builds the project service on a store. */
export function createProjectService(store: Store, providers: readonly string[]): ProjectService {
  const checkProvider = (provider: string | null | undefined): void => {
    if (provider === undefined || provider === null || providers.includes(provider)) return;
    throw new AppError(ERRORS.UNKNOWN_PROVIDER, {
      message: `unknown provider "${provider.slice(0, 64)}"; configured: ${providers.join(', ')}`,
    });
  };
  return {
    list: () => store.projects.list(),

    async get(id) {
      return requireProject(await store.projects.get(id));
    },

    async create(input) {
      if (input.name.trim() === '' || input.apiKey.trim() === '') {
        throw new AppError(ERRORS.VALIDATION_FAILED, { message: 'name and api_key are required' });
      }
      rejectObfuscatedKey(input.apiKey);
      checkProvider(input.provider);
      checkCachePostTtl(input.cachePostTtlSeconds);
      return translateDuplicateName(() =>
        store.projects.create({
          name: input.name,
          apiKey: input.apiKey,
          provider: input.provider ?? null,
          cachePostTtlSeconds: input.cachePostTtlSeconds ?? null,
        }),
      );
    },

    async update(id, input) {
      if (input.revokeTokens === true && input.isActive !== false) {
        throw new AppError(ERRORS.REVOKE_REQUIRES_DEACTIVATION);
      }
      if (input.name !== undefined && input.name.trim() === '') {
        throw new AppError(ERRORS.VALIDATION_FAILED, { message: 'name must not be empty' });
      }
      if (input.apiKey !== undefined && input.apiKey !== '') rejectObfuscatedKey(input.apiKey);
      checkProvider(input.provider);
      checkCachePostTtl(input.cachePostTtlSeconds);
      // Deactivation and the revocation of the project's tokens commit together or not at all.
      return translateDuplicateName(() =>
        store.transaction(async (tx) => {
          const current = requireProject(await tx.projects.get(id));
          const { changes, updatedFields } = changesFor(current, input);
          const project = requireProject(await tx.projects.update(id, changes));
          const tokensRevoked =
            input.revokeTokens === true ? (await tx.tokens.revokeForProject(id)).revoked : undefined;
          return { project, updatedFields, tokensRevoked };
        }),
      );
    },

    async revokeTokens(id) {
      return store.transaction(async (tx) => {
        requireProject(await tx.projects.get(id));
        return tx.tokens.revokeForProject(id);
      });
    },
  };
}

function changesFor(
  current: Project,
  input: UpdateProjectInput,
): { changes: ProjectChanges; updatedFields: string[] } {
  const changes: { -readonly [K in keyof ProjectChanges]: ProjectChanges[K] } = {};
  const updatedFields: string[] = [];
  if (input.name !== undefined) {
    changes.name = input.name;
    updatedFields.push('name');
  }
  if (input.apiKey !== undefined && input.apiKey !== '') {
    changes.apiKey = input.apiKey;
    updatedFields.push('api_key');
  }
  if (input.provider !== undefined && input.provider !== current.provider) {
    changes.provider = input.provider;
    updatedFields.push('provider');
  }
  if (input.cachePostTtlSeconds !== undefined && input.cachePostTtlSeconds !== current.cachePostTtlSeconds) {
    changes.cachePostTtlSeconds = input.cachePostTtlSeconds;
    updatedFields.push('cache_post_ttl_seconds');
  }
  // Only a real change of state touches `deactivated_at`, so re-sending is_active=false keeps the first date.
  if (input.isActive !== undefined && input.isActive !== current.isActive) {
    changes.isActive = input.isActive;
    updatedFields.push('is_active');
  }
  return { changes, updatedFields };
}

/** Every surface (API, CLI, admin UI) reaches the same rule: whole seconds, 1 up to a year, or null (off). */
function checkCachePostTtl(seconds: number | null | undefined): void {
  if (seconds === undefined || seconds === null) return;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_CACHE_POST_TTL_SECONDS) {
    throw new AppError(ERRORS.VALIDATION_FAILED, {
      message: `cache_post_ttl_seconds must be an integer from 1 to ${MAX_CACHE_POST_TTL_SECONDS} (one year), or null to turn it off`,
    });
  }
}

function requireProject(project: Project | undefined): Project {
  if (!project) throw new AppError(ERRORS.PROJECT_NOT_FOUND);
  return project;
}

function rejectObfuscatedKey(apiKey: string): void {
  if (looksObfuscated(apiKey)) throw new AppError(ERRORS.OBFUSCATED_API_KEY);
}

async function translateDuplicateName<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DuplicateProjectNameError) {
      throw new AppError(ERRORS.PROJECT_NAME_TAKEN, { cause: error });
    }
    throw error;
  }
}
