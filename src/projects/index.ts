export { createProjectService } from './project-service.js';
export type {
  CreateProjectInput,
  ProjectService,
  ProjectUpdateResult,
  UpdateProjectInput,
} from './project-service.js';
