import { createHash } from 'node:crypto';
import {
  ApprovalAction,
  DeploymentRequest,
} from '@deployments-portal/backstage-plugin-deployments-common';

/** What an approval is given for. */
export type ApprovedSubject = {
  environment: string;
  namespace: string;
  name: string;
  action: ApprovalAction;
  request?: DeploymentRequest;
  rollbackToRevision?: number;
  /** The deployment's latest revision when the request was raised. */
  baseRevision: number;
};

/** JSON with object keys in code-unit order: the same text for the same value. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .filter(key => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map(
        key =>
          `${JSON.stringify(key)}:${canonical(
            (value as Record<string, unknown>)[key],
          )}`,
      )
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * `sha256:<hex>` of what an approval is for: the change and the revision it
 * was computed against. Stored when the request is raised and checked when
 * it is approved, so exactly what was reviewed is what gets queued.
 */
export function changeHash(subject: ApprovedSubject): string {
  return `sha256:${createHash('sha256')
    .update(
      canonical({
        environment: subject.environment,
        namespace: subject.namespace,
        name: subject.name,
        action: subject.action,
        request: subject.request,
        rollbackToRevision: subject.rollbackToRevision,
        baseRevision: subject.baseRevision,
      }),
    )
    .digest('hex')}`;
}
