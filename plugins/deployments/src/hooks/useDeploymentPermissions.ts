import { usePermission } from '@backstage/plugin-permission-react';
import {
  deploymentsCreatePermission,
  deploymentsDeletePermission,
  deploymentsRestartPermission,
  deploymentsRollbackPermission,
  deploymentsUpdatePermission,
} from '@internal/backstage-plugin-deployments-common';

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

/**
 * The permission decisions behind the Deployments tab's buttons. The backend
 * checks them again on every call; this only keeps buttons honest.
 */
export function useDeploymentPermissions(
  /** The application's entity ref: the permissions are decided per entity (owner). */
  entityRef: string,
): DeploymentPermissions {
  const resourceRef = entityRef;
  const create = usePermission({
    permission: deploymentsCreatePermission,
    resourceRef,
  });
  const scale = usePermission({
    permission: deploymentsUpdatePermission,
    resourceRef,
  });
  const restart = usePermission({
    permission: deploymentsRestartPermission,
    resourceRef,
  });
  const rollback = usePermission({
    permission: deploymentsRollbackPermission,
    resourceRef,
  });
  const remove = usePermission({
    permission: deploymentsDeletePermission,
    resourceRef,
  });
  const pick = ({ allowed, loading }: Allowance) => ({ allowed, loading });
  return {
    create: pick(create),
    scale: pick(scale),
    restart: pick(restart),
    rollback: pick(rollback),
    delete: pick(remove),
  };
}
