import { ResourcePermission } from '@backstage/plugin-permission-common';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  deploymentsCreatePermission,
  deploymentsDeletePermission,
  deploymentsRestartPermission,
  deploymentsRollbackPermission,
  deploymentsUpdatePermission,
} from '@deployments-portal/backstage-plugin-deployments-common';

/** Whether the signed-in user may do something; `loading` until known. */
export type Allowance = { allowed: boolean; loading: boolean };

/** What the signed-in user may do with deployments. */
export type DeploymentPermissions = {
  create: Allowance;
  scale: Allowance;
  restart: Allowance;
  rollback: Allowance;
  delete: Allowance;
};

/** One permission decision for one resource, without the hook's extras. */
function useAllowance(
  permission: ResourcePermission,
  resourceRef: string,
): Allowance {
  const { allowed, loading } = usePermission({ permission, resourceRef });
  return { allowed, loading };
}

/**
 * The permission decisions behind the Deployments tab's buttons. The backend
 * checks them again on every call; this only keeps buttons honest.
 */
export function useDeploymentPermissions(
  /** The application's entity ref: the permissions are decided per entity (owner). */
  entityRef: string,
): DeploymentPermissions {
  return {
    create: useAllowance(deploymentsCreatePermission, entityRef),
    scale: useAllowance(deploymentsUpdatePermission, entityRef),
    restart: useAllowance(deploymentsRestartPermission, entityRef),
    rollback: useAllowance(deploymentsRollbackPermission, entityRef),
    delete: useAllowance(deploymentsDeletePermission, entityRef),
  };
}
