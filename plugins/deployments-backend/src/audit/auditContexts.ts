import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  DeploymentKey,
  DeploymentRecord,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { actorOf, AuditContext } from './AuditLog';

type ChangeOptions = { credentials: BackstageCredentials; taskId?: string };

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= 512 ? value : undefined;
}

/**
 * The audit event of a call on a request body, before it is validated: what
 * the body claims, so that a refused or invalid request is recorded too.
 */
export function auditContextOfInput(
  action: 'deploy',
  input: unknown,
  options: ChangeOptions,
): AuditContext {
  const body = (
    typeof input === 'object' && input !== null ? input : {}
  ) as Record<string, unknown>;
  const image = body.image as Record<string, unknown> | undefined;
  const repository =
    typeof image === 'object' && image !== null
      ? text(image.repository)
      : undefined;
  return {
    actor: actorOf(options.credentials),
    action,
    entityRef: text(body.application),
    environment: text(body.environment),
    namespace: text(body.namespace),
    toVersion: repository
      ? `${repository}${image!.tag ? `:${text(image!.tag)}` : ''}${
          image!.digest ? `@${text(image!.digest)}` : ''
        }`
      : undefined,
    taskId: options.taskId,
  };
}

/** The audit event of a call on an existing deployment (`current`: what runs). */
export function auditContextOfKey(
  action: 'update' | 'restart' | 'rollback' | 'delete',
  key: DeploymentKey,
  options: ChangeOptions,
  current?: DeploymentRecord,
): AuditContext {
  return {
    actor: actorOf(options.credentials),
    action,
    entityRef: current?.entityRef,
    environment: key.environment,
    namespace: key.namespace,
    name: key.name,
    fromVersion: current?.image,
    taskId: options.taskId,
  };
}
