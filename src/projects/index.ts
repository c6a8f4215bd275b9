export { MAX_CACHE_POST_TTL_SECONDS, createProjectService } from './project-service.js';
export type {
  CreateProjectInput,
  ProjectService,
  ProjectUpdateResult,
  UpdateProjectInput,
} from './project-service.js';
