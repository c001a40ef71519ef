/**
 * Stable codes of the errors the suite reports (the `code` of an error
 * response, the `errorCode` of a failed record). Each has a section in the
 * troubleshooting guide (docs/docs/troubleshooting.md) with cause and fix.
 *
 * @public
 */
export const DEPLOYMENT_ERROR_CODES = {
  'request-invalid': 'The request does not match the deployment schema',
  'parameter-invalid':
    'A path or query parameter, header or body field of the call is not valid',
  'policy-blocked': 'Error-level policy violations block the deployment',
  'application-not-in-catalog': 'The application is not a catalog entity',
  'application-without-owner': 'The application has no owner in the catalog',
  'environment-not-configured':
    'The environment is not in deployments.environments',
  'cluster-not-configured':
    "The environment's cluster is not configured or has no token",
  'cluster-unreachable': 'The cluster did not answer',
  'kubernetes-forbidden': "Kubernetes refused the portal's service account",
  'kubernetes-invalid': 'Kubernetes rejected an object as invalid',
  'kubernetes-not-found': 'Kubernetes does not know the object or namespace',
  'kubernetes-conflict': 'Kubernetes reported a conflict',
  'kubernetes-error': 'Kubernetes answered with another error',
  'deployment-not-found': 'No such deployment (or it was deleted)',
  'update-invalid': 'The update tries to change what an update cannot change',
  'rollback-target-invalid': 'The rollback target never ran successfully',
  'timeout-invalid': 'timeoutSeconds is out of range',
  'rollout-not-ready': 'The new revision did not become ready in time',
  'permission-denied': 'The permission policy does not allow the action',
  'user-required': 'The call is not made on behalf of a signed-in user',
  'change-not-found': 'No such change',
  'change-in-progress':
    'The change already runs (or ended) and can no longer be cancelled',
  'queue-full': 'Too many changes of one deployment are queued',
  'wait-invalid': 'wait is out of range',
  'object-not-managed':
    'An object of that name exists and the portal did not create it for this application',
  'stale-approval':
    'The deployment changed since the approval was requested; request again',
  'approval-expired': 'The approval request ran out of time',
  'four-eyes': 'The requester of a change cannot approve it',
  'approval-not-found': 'No such approval request',
  'approval-decided': 'The approval request was already decided',
} as const;

/** @public */
export type DeploymentErrorCode = keyof typeof DEPLOYMENT_ERROR_CODES;

/** Attaches a suite error code to an error (it is part of the response body). @public */
export function withErrorCode<E extends Error>(
  error: E,
  code: DeploymentErrorCode,
): E & { code: DeploymentErrorCode } {
  return Object.assign(error, { code });
}

/** The anchor of an error code's section in the troubleshooting guide. @public */
export function errorDocsAnchor(code: DeploymentErrorCode): string {
  return `troubleshooting/#${code}`;
}
