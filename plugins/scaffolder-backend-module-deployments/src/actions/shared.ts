import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  approvalLink,
  DeploymentChange,
  DeploymentOutcome,
  isFinalStatus,
  PendingApproval,
  PolicyViolation,
  RequestValidationError,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { DeploymentService } from '@deployments-portal/backstage-plugin-deployments-node';
import { createHash } from 'node:crypto';

/** Where the app's page in the portal is, for step outputs. */
export function entityLink(application: string): string {
  const ref = parseEntityRef(application);
  return `/catalog/${ref.namespace}/${ref.kind.toLowerCase()}/${ref.name}`;
}

/** One line per problem, for a failed step's message. */
export function describeProblems(
  errors: RequestValidationError[],
  violations: PolicyViolation[],
): string {
  return [
    ...errors.map(e => `- ${e.field}: ${e.message}`),
    ...violations
      .filter(v => v.severity === 'error')
      .map(v => `- [${v.policyId}] ${v.path}: ${v.message} (${v.hint})`),
  ].join('\n');
}

/** An outcome as JSON (checkpoints store JSON). */
export function recordJson(outcome: DeploymentOutcome) {
  return JSON.parse(JSON.stringify(outcome));
}

/** How long one request for a change's progress may wait, in seconds. */
const FOLLOW_WAIT_SECONDS = 20;

type StepContext = {
  task: { id: string };
  logger: { info(message: string): void };
  checkpoint: (options: {
    key: string;
    fn: () => Promise<any>;
  }) => Promise<any>;
  signal?: AbortSignal;
};

/**
 * Asks for a change once per task step: the checkpoint keeps the answer for
 * a retried task, and the idempotency key (task and step) makes the backend
 * answer the change it already queued if the first attempt was lost before
 * its checkpoint was stored.
 */
export async function requestOnce(
  ctx: StepContext,
  key: string,
  request: (idempotencyKey: string) => Promise<DeploymentOutcome>,
): Promise<DeploymentOutcome> {
  const idempotencyKey = `scaffolder:${ctx.task.id}:${createHash('sha256')
    .update(key)
    .digest('hex')
    .slice(0, 32)}`;
  return (await ctx.checkpoint({
    key,
    fn: async () => recordJson(await request(idempotencyKey)),
  })) as DeploymentOutcome;
}

/**
 * Follows a change until it ends, writing each of its steps (and its place
 * in the queue) into the task log. Cancelling the task stops following, not
 * the change.
 */
export async function followChange(
  ctx: StepContext,
  deployments: DeploymentService,
  credentials: BackstageCredentials,
  change: DeploymentChange,
): Promise<DeploymentChange> {
  let logged = 0;
  let position: number | undefined;
  const log = (current: DeploymentChange) => {
    for (const step of current.statusHistory.slice(logged)) {
      ctx.logger.info(
        `Revision ${current.revision}: ${step.status}${
          step.reason ? ` (${step.reason})` : ''
        }`,
      );
    }
    logged = current.statusHistory.length;
    if (current.status === 'queued' && current.queuePosition !== position) {
      position = current.queuePosition;
      if (position) {
        ctx.logger.info(
          `Revision ${
            current.revision
          } waits behind ${position} earlier change${
            position === 1 ? '' : 's'
          } of this deployment`,
        );
      }
    }
  };
  let current = change;
  log(current);
  while (!isFinalStatus(current.status)) {
    if (ctx.signal?.aborted) {
      throw new Error(
        `Stopped following change ${change.id} (revision ${change.revision}); it goes on in the portal`,
      );
    }
    current = await deployments.getChange(change.id, {
      credentials,
      wait: FOLLOW_WAIT_SECONDS,
    });
    log(current);
  }
  return current;
}

/**
 * Ends a step whose change waits for approval: the task finishes (it does
 * not wait for a decision that may take days) and says who decides and
 * where. The approval applies the change; the requester is notified of the
 * decision and of the result.
 */
export function reportPendingApproval(
  ctx: {
    logger: { info(message: string): void };
    output(name: string, value: unknown): void;
  },
  pending: PendingApproval,
  approvalsPath?: string,
) {
  const { approval } = pending;
  const url = approvalLink(approval.id, approvalsPath);
  ctx.logger.info(
    `${approval.environment} requires approval: nothing was applied yet. Awaiting approval by a member of ${approval.owner} other than ${approval.requester}, or a release manager, before ${approval.expiresAt}: ${url}`,
  );
  ctx.output('status', 'pending-approval');
  ctx.output('approvalId', approval.id);
  ctx.output('approvalUrl', url);
}

/** A template's secret references ({ name, secret, key }) as env entries. */
export function withSecretReferences(
  env: unknown[] | undefined,
  secrets: Array<{ name: string; secret: string; key: string }> | undefined,
): unknown[] {
  return [
    ...(env ?? []),
    ...(secrets ?? []).map(s => ({
      name: s.name,
      secretKeyRef: { name: s.secret, key: s.key },
    })),
  ];
}
