import type { Kysely, Selectable } from 'kysely';

import { newId } from '../core/index.js';
import type { ApiKeyCipher, Clock } from '../core/index.js';
import type { Project } from './records.js';
import { DuplicateProjectNameError } from './repositories.js';
import type { NewProject, ProjectChanges, ProjectRepository } from './repositories.js';
import { toBool, toDate, toDateOrNull } from './row-values.js';
import type { Database, ProjectsTable } from './schema.js';
import { isUniqueViolation } from './unique-violation.js';

/** Projects in SQL, with API keys passed through the cipher on the way in and out. */
export class SqlProjectRepository implements ProjectRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cipher: ApiKeyCipher,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<Project[]> {
    const rows = await this.db.selectFrom('projects').selectAll().orderBy('name').orderBy('id').execute();
    return rows.map((row) => this.toProject(row));
  }

  async get(id: string): Promise<Project | undefined> {
    const row = await this.db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
    return row && this.toProject(row);
  }

  async create(project: NewProject): Promise<Project> {
    const now = this.clock.now();
    const id = newId();
    try {
      await this.db
        .insertInto('projects')
        .values({
          id,
          name: project.name,
          api_key: this.cipher.encrypt(project.apiKey),
          provider: project.provider ?? null,
          cache_post_ttl_seconds: project.cachePostTtlSeconds ?? null,
          is_active: true,
          deactivated_at: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateProjectNameError(project.name);
      throw error;
    }
    return {
      id,
      name: project.name,
      apiKey: project.apiKey,
      provider: project.provider ?? null,
      cachePostTtlSeconds: project.cachePostTtlSeconds ?? null,
      isActive: true,
      deactivatedAt: null,
      createdAt: now,
      updatedAt: now,
    };
  }

  async update(id: string, changes: ProjectChanges): Promise<Project | undefined> {
    const current = await this.get(id);
    if (!current) return undefined;
    const now = this.clock.now();
    const activityChanged = changes.isActive !== undefined && changes.isActive !== current.isActive;
    try {
      await this.db
        .updateTable('projects')
        .set({
          updated_at: now,
          ...(changes.name !== undefined && { name: changes.name }),
          ...(changes.apiKey !== undefined && { api_key: this.cipher.encrypt(changes.apiKey) }),
          ...(changes.provider !== undefined && { provider: changes.provider }),
          ...(changes.cachePostTtlSeconds !== undefined && {
            cache_post_ttl_seconds: changes.cachePostTtlSeconds,
          }),
          ...(activityChanged && {
            is_active: changes.isActive,
            deactivated_at: changes.isActive ? null : now,
          }),
        })
        .where('id', '=', id)
        .execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateProjectNameError(changes.name ?? current.name);
      throw error;
    }
    return this.get(id);
  }

  private toProject(row: Selectable<ProjectsTable>): Project {
    return {
      id: row.id,
      name: row.name,
      apiKey: this.cipher.decrypt(row.api_key),
      provider: row.provider,
      cachePostTtlSeconds: row.cache_post_ttl_seconds,
      isActive: toBool(row.is_active),
      deactivatedAt: toDateOrNull(row.deactivated_at),
      createdAt: toDate(row.created_at),
      updatedAt: toDate(row.updated_at),
    };
  }
}
