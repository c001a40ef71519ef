/**
 * The deploy-application template's sizes. templates/deploy-application
 * repeats these values in its steps; keep both in step.
 *
 * @public
 */
export const SIZE_PRESETS = {
  S: {
    requests: { cpu: '100m', memory: '128Mi' },
    limits: { cpu: '500m', memory: '256Mi' },
  },
  M: {
    requests: { cpu: '250m', memory: '256Mi' },
    limits: { cpu: '1', memory: '512Mi' },
  },
  L: {
    requests: { cpu: '500m', memory: '512Mi' },
    limits: { cpu: '2', memory: '1Gi' },
  },
} as const;

import { EnvironmentSummary, namespaceFor } from './environments';

const text = (value: unknown) =>
  typeof value === 'string' && value !== '' ? value : undefined;

/**
 * The deployment request the deploy-application template's form describes
 * (the same mapping as its steps), for the live policy preview. The
 * namespace comes from the chosen environment's pattern, as the deploy action
 * derives it.
 *
 * @public
 */
export function requestFromTemplateForm(
  form: Record<string, unknown>,
  environments: readonly EnvironmentSummary[] = [],
): Record<string, unknown> {
  const environment = environments.find(e => e.name === form.environment);
  const size = form.size as keyof typeof SIZE_PRESETS | 'custom' | undefined;
  const resources =
    size === 'custom'
      ? {
          requests: { cpu: form.requestsCpu, memory: form.requestsMemory },
          limits: { cpu: form.limitsCpu, memory: form.limitsMemory },
        }
      : SIZE_PRESETS[size ?? 'S'];
  const secrets =
    (form.secrets as Array<Record<string, string>> | undefined) ?? [];
  return {
    application: form.application,
    environment: form.environment,
    namespace:
      environment && typeof form.application === 'string'
        ? namespaceFor(form.application, environment)
        : undefined,
    image: {
      repository: form.repository,
      tag: text(form.tag),
      digest: text(form.digest),
    },
    replicas: form.replicas,
    resources,
    env: [
      ...((form.env as unknown[] | undefined) ?? []),
      ...secrets.map(s => ({
        name: s.name,
        secretKeyRef: { name: s.secret, key: s.key },
      })),
    ],
    autoscaling: form.autoscaling
      ? {
          minReplicas: form.minReplicas,
          maxReplicas: form.maxReplicas,
          targetCPUUtilizationPercentage: form.targetCPU,
        }
      : undefined,
    changeReference: text(form.changeReference),
    builtAt: text(form.builtAt),
  };
}
