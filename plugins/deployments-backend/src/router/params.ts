import { makeValidator } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  changeLink,
  DeploymentErrorCode,
  DeploymentKey,
  DeploymentOutcome,
  isDns1123Label,
  isEnvironmentName,
  isFinalStatus,
  isPendingApproval,
  withErrorCode,
} from '@internal/backstage-plugin-deployments-common';
import { Request, Response } from 'express';

const TASK_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The deployment of /deployments/:environment/:namespace/:name routes. */
export function keyOf(req: Request): DeploymentKey {
  const { environment, namespace, name } = req.params;
  if (!isEnvironmentName(environment)) {
    throw new InputError(
      `environment '${environment}' is not one of development, test, acceptance, production`,
    );
  }
  for (const [field, value] of [
    ['namespace', namespace],
    ['name', name],
  ] as const) {
    if (value !== undefined && !isDns1123Label(value)) {
      throw new InputError(`${field} '${value}' is not a DNS-1123 label`);
    }
  }
  return { environment, namespace, name };
}

/** One optional number (a query parameter or body field); `code`: its error code. */
export function optionalNumber(
  value: unknown,
  field: string,
  code?: DeploymentErrorCode,
): number | undefined {
  if (value === undefined) return undefined;
  const refuse = (message: string) => {
    const error = new InputError(message);
    throw code ? withErrorCode(error, code) : error;
  };
  if (Array.isArray(value)) {
    return refuse(`${field} must be given once`);
  }
  const number = Number(value);
  if (value === '' || typeof value === 'object' || !Number.isFinite(number)) {
    return refuse(`${field} must be a number, got '${String(value)}'`);
  }
  return number;
}

const entityNames = makeValidator();

/** The entity ref of /entities/:kind/:namespace/:name routes. */
export function entityRefOf(req: Request): string {
  const { kind, namespace, name } = req.params;
  for (const [field, value, valid] of [
    ['kind', kind, entityNames.isValidKind(kind)],
    ['namespace', namespace, entityNames.isValidNamespace(namespace)],
    ['name', name, entityNames.isValidEntityName(name)],
  ] as const) {
    if (!valid) {
      throw new InputError(
        `entity ${field} '${value}' is not valid; use /entities/<kind>/<namespace>/<name>, e.g. /entities/component/default/payments-api`,
      );
    }
  }
  return `${kind}:${namespace}/${name}`;
}

/** `?taskId=`: the scaffolder task that makes a change. */
export function taskIdOf(req: Request): string | undefined {
  const { taskId } = req.query;
  if (taskId === undefined) return undefined;
  if (typeof taskId !== 'string' || !TASK_ID.test(taskId)) {
    throw new InputError(
      'taskId must be one scaffolder task id (letters, digits, - _ . :, at most 64 characters)',
    );
  }
  return taskId;
}

/** `?wait=<seconds>`: how long to wait for the change to end (range checked later). */
export function waitOf(req: Request): number | undefined {
  return optionalNumber(req.query.wait, 'wait', 'wait-invalid');
}

/** The `Idempotency-Key` header: asking again with it answers the first change. */
export function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.header('idempotency-key');
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new InputError(
      'the Idempotency-Key header must be 1 to 200 printable ASCII characters without spaces',
    );
  }
  return key;
}

/** The id of /changes/:id routes. */
export function changeIdOf(req: Request): string {
  const { id } = req.params;
  if (!UUID.test(id)) {
    throw new InputError(
      `change id '${id}' is not a UUID; use the id a change was answered with`,
    );
  }
  return id;
}

/**
 * The answer of a mutating call: 202 Accepted while the change is queued or
 * runs (and while it waits for approval), with `Location` where to follow
 * it; 200 once it has ended (a `?wait` that was long enough).
 */
export function sendOutcome(
  req: Request,
  res: Response,
  outcome: DeploymentOutcome,
) {
  if (isPendingApproval(outcome)) {
    res.status(202).json(outcome);
    return;
  }
  if (outcome.id !== 'dry-run') {
    res.location(`${req.baseUrl}${changeLink(outcome.id)}`);
  }
  res.status(isFinalStatus(outcome.status) ? 200 : 202).json(outcome);
}
