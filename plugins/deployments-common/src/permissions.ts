import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

/*
 * The deployments permissions are resource permissions on the catalog entity
 * that owns the deployment, so a permission policy can answer with a
 * conditional decision on that entity (for example "the user owns it").
 * Callers pass the entity ref as `resourceRef` when they authorize.
 */

/** Read deployments, their history and validation results. @public */
export const deploymentsReadPermission = createPermission({
  name: 'deployments.deployment.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * See the plain environment values of an application's deployments
 * (records, approvals, dashboard). Without it the names stay visible and
 * the values are redacted: need-to-know for other teams' configuration.
 * @public
 */
export const deploymentsConfigReadPermission = createPermission({
  name: 'deployments.deployment.config.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Create a deployment (POST /deployments). @public */
export const deploymentsCreatePermission = createPermission({
  name: 'deployments.deployment.create',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Change a running deployment: image, replicas, settings (PUT). @public */
export const deploymentsUpdatePermission = createPermission({
  name: 'deployments.deployment.update',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Restart a deployment's pods. @public */
export const deploymentsRestartPermission = createPermission({
  name: 'deployments.deployment.restart',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Roll a deployment back to an earlier revision. @public */
export const deploymentsRollbackPermission = createPermission({
  name: 'deployments.deployment.rollback',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Delete a deployment and everything it created. @public */
export const deploymentsDeletePermission = createPermission({
  name: 'deployments.deployment.delete',
  attributes: { action: 'delete' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Approve or reject a pending deployment request of an entity.
 * The four-eyes rule (requester is never the approver) is enforced by the
 * deployments service, not by the policy.
 * @public
 */
export const deploymentsApprovePermission = createPermission({
  name: 'deployments.approval.decide',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Read the deployments audit trail (per entity and global, with export). @public */
export const deploymentsAuditReadPermission = createPermission({
  name: 'deployments.audit.read',
  attributes: { action: 'read' },
});

/** @public */
export const deploymentsPermissions = [
  deploymentsReadPermission,
  deploymentsConfigReadPermission,
  deploymentsCreatePermission,
  deploymentsUpdatePermission,
  deploymentsRestartPermission,
  deploymentsRollbackPermission,
  deploymentsDeletePermission,
  deploymentsApprovePermission,
  deploymentsAuditReadPermission,
];

/**
 * Whether a permission belongs to the deployments suite (its name starts
 * with `deployments.`): an adopter's own permission policy hands these to the
 * suite's rules (`DeploymentsPermissionPolicy` of the policy module) and
 * decides the rest itself.
 *
 * @public
 */
export function isDeploymentsPermission(permission: { name: string }): boolean {
  return permission.name.startsWith('deployments.');
}
