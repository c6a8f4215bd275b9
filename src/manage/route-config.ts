declare module 'fastify' {
  interface FastifyContextConfig {
    /** Management routes: the audit action recorded for every call, whatever its outcome. */
    auditAction?: string;
  }
}

/** Audit action names of the management API (original-spec §9.2, plus `project.read`). */
export const AUDIT_ACTIONS = {
  projectList: 'project.list',
  projectCreate: 'project.create',
  projectRead: 'project.read',
  projectUpdate: 'project.update',
  projectDelete: 'project.delete',
  tokenCreate: 'token.create',
  tokenList: 'token.list',
  tokenRead: 'token.read',
  tokenUpdate: 'token.update',
  tokenRevoke: 'token.revoke',
  tokenRotate: 'token.rotate',
  tokenRevokeBatch: 'token.revoke_batch',
  auditList: 'audit.list',
  auditShow: 'audit.show',
  cachePurge: 'cache.purge',
  adminLogin: 'admin.login',
  adminLogout: 'admin.logout',
} as const;

/** The actor of every management event. */
export const MANAGEMENT_ACTOR = 'management_api';
