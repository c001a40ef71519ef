import { parseEntityRef } from '@backstage/catalog-model';
import {
  DeploymentRecord,
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

/** A record as JSON (checkpoints store JSON). */
export function recordJson(record: DeploymentRecord) {
  return JSON.parse(JSON.stringify(record));
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
