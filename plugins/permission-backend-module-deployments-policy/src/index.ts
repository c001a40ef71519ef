/**
 * The deployments portal's permission policy (RBAC) for the permission
 * backend.
 *
 * @packageDocumentation
 */

export { permissionModuleDeploymentsPolicy as default } from './module';
export {
  DeploymentsPermissionPolicy,
  DEFAULT_ADMIN_GROUP,
  DEFAULT_RELEASE_MANAGER_GROUP,
} from './policy/DeploymentsPermissionPolicy';
export type { DeploymentsPermissionPolicyOptions } from './policy/DeploymentsPermissionPolicy';
