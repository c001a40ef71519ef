import { LiveDeploymentState } from '@deployments-portal/backstage-plugin-deployments-common';
import { V1Deployment } from '@kubernetes/client-node';

/** What a Deployment object says about its rollout, as the portal shows it. */
export function liveStateOf(deployment: V1Deployment): LiveDeploymentState {
  return withoutUndefined({
    exists: true,
    image: deployment.spec?.template.spec?.containers[0]?.image,
    replicas: deployment.spec?.replicas,
    readyReplicas: deployment.status?.readyReplicas ?? 0,
    updatedReplicas: deployment.status?.updatedReplicas ?? 0,
    availableReplicas: deployment.status?.availableReplicas ?? 0,
    revision:
      deployment.metadata?.annotations?.['deployment.kubernetes.io/revision'],
    conditions: deployment.status?.conditions?.map(c =>
      withoutUndefined({
        type: c.type,
        status: c.status,
        reason: c.reason,
        message: c.message,
      }),
    ),
  });
}

/** The object without its undefined properties (stable JSON, equal in tests). */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as T;
}
