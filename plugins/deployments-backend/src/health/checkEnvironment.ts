import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_KUBERNETES_ID,
  EnvironmentHealth,
  isDns1123Label,
  namespaceFor,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { performance } from 'node:perf_hooks';
import { EnvironmentConfig } from '../service/readEnvironments';
import { Check, CheckContext, ProbeOutcome } from './checkTypes';
import { environmentState } from './healthState';
import { probeEnvironment } from './probeEnvironment';
import { readCluster } from './readCluster';

/**
 * The health of `entity` in one environment: its contract probed and its
 * cluster read in parallel, both under the environment's time budget, and
 * the state that follows from them. Never throws for a failing probe or
 * cluster; those become `probeError` and `kubernetesError`.
 */
export async function checkEnvironment(
  context: CheckContext,
  entity: Entity,
  environment: EnvironmentConfig,
  refresh: boolean,
): Promise<EnvironmentHealth> {
  const settings = context.settings.environments.get(environment.name)!;
  const budgetMs = settings.timeoutMs;
  const started = performance.now();
  const checkedAt = new Date().toISOString();
  const controller = new AbortController();
  const timer = setTimeout(
    () =>
      controller.abort(new Error(`the time budget of ${budgetMs} ms is spent`)),
    budgetMs,
  );
  const application = entity.metadata.name;
  const check: Check = {
    entity,
    environment,
    settings,
    namespace: namespaceFor(application, environment),
    kubernetesId:
      entity.metadata.annotations?.[ANNOTATION_KUBERNETES_ID] ?? application,
    signal: controller.signal,
    budgetMs,
    refresh,
  };
  if (!isDns1123Label(check.kubernetesId)) {
    // The id becomes a label selector and a Service name; anything else in
    // the annotation is refused before it reaches a URL or a selector.
    clearTimeout(timer);
    const problem = invalidKubernetesId(check.kubernetesId);
    return withoutUndefined({
      environment: environment.name,
      cluster: environment.cluster,
      namespace: check.namespace,
      state: environmentState({
        pods: [],
        events: [],
        kubernetesError: problem,
      }),
      probeError: problem,
      pods: [],
      events: [],
      kubernetesError: problem,
      checkedAt,
      durationMs: Math.round(performance.now() - started),
    });
  }
  try {
    const [probing, cluster] = await Promise.all([
      probeEnvironment(context, check).catch(
        (error): ProbeOutcome => ({
          probeError: `The health contract could not be probed: ${
            (error as Error).message
          }`,
        }),
      ),
      readCluster(context, check),
    ]);
    return withoutUndefined({
      environment: environment.name,
      cluster: environment.cluster,
      namespace: check.namespace,
      state: environmentState({ probes: probing.probes, ...cluster }),
      ...probing,
      ...cluster,
      checkedAt,
      durationMs: Math.round(performance.now() - started),
    });
  } finally {
    clearTimeout(timer);
  }
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as T;
}

function invalidKubernetesId(id: string): string {
  const shown = id.length > 80 ? `${id.slice(0, 79)}…` : id;
  return `The annotation ${ANNOTATION_KUBERNETES_ID} is ${JSON.stringify(
    shown,
  )}, which is not a valid Kubernetes name: use lowercase letters, digits and '-', at most 63 characters, starting and ending with a letter or digit (or remove it to use the entity name).`;
}
