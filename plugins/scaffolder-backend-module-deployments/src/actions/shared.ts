import { parseEntityRef } from '@backstage/catalog-model';
import {
  approvalLink,
  DeploymentOutcome,
  PendingApproval,
  PolicyViolation,
  RequestValidationError,
} from '@internal/backstage-plugin-deployments-common';

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
) {
  const { approval } = pending;
  const url = approvalLink(approval.id);
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
