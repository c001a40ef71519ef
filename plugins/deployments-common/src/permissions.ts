import { createPermission } from '@backstage/plugin-permission-common';

/** Read deployments, their history and validation results. @public */
export const deploymentsReadPermission = createPermission({
  name: 'deployments.deployment.read',
  attributes: { action: 'read' },
});

/** Create a deployment (POST /deployments). @public */
export const deploymentsCreatePermission = createPermission({
  name: 'deployments.deployment.create',
  attributes: { action: 'create' },
});

/** Change a running deployment: image, replicas, settings (PUT). @public */
export const deploymentsUpdatePermission = createPermission({
  name: 'deployments.deployment.update',
  attributes: { action: 'update' },
});

/** Restart a deployment's pods. @public */
export const deploymentsRestartPermission = createPermission({
  name: 'deployments.deployment.restart',
  attributes: { action: 'update' },
});

/** Roll a deployment back to an earlier revision. @public */
export const deploymentsRollbackPermission = createPermission({
  name: 'deployments.deployment.rollback',
  attributes: { action: 'update' },
});

/** Delete a deployment and everything it created. @public */
export const deploymentsDeletePermission = createPermission({
  name: 'deployments.deployment.delete',
  attributes: { action: 'delete' },
});

/** @public */
export const deploymentsPermissions = [
  deploymentsReadPermission,
  deploymentsCreatePermission,
  deploymentsUpdatePermission,
  deploymentsRestartPermission,
  deploymentsRollbackPermission,
  deploymentsDeletePermission,
];
