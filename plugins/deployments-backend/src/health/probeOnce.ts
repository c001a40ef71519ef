import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_KUBERNETES_ID,
  isDns1123Label,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { EnvironmentConfig } from '../service/readEnvironments';
import { CheckContext, ProbeOutcome } from './checkTypes';
import { probeEnvironment } from './probeEnvironment';

/**
 * The health contract of `entity` in one environment's `namespace`, probed
 * now under the environment's time budget: no cache, no unreachable
 * memory, no cluster reads. For the change engine's verification, which
 * must see the new version, not a remembered answer.
 */
export async function probeOnce(
  context: CheckContext,
  entity: Entity,
  environment: EnvironmentConfig,
  namespace: string,
  outer?: AbortSignal,
): Promise<ProbeOutcome> {
  const settings = context.settings.environments.get(environment.name)!;
  const kubernetesId =
    entity.metadata.annotations?.[ANNOTATION_KUBERNETES_ID] ??
    entity.metadata.name;
  if (!isDns1123Label(kubernetesId)) {
    return {
      probeError: `The annotation ${ANNOTATION_KUBERNETES_ID} is not a valid Kubernetes name`,
    };
  }
  const budget = AbortSignal.timeout(settings.timeoutMs);
  const signal = outer ? AbortSignal.any([outer, budget]) : budget;
  try {
    return await probeEnvironment(context, {
      entity,
      environment,
      settings,
      namespace,
      kubernetesId,
      signal,
      budgetMs: settings.timeoutMs,
      refresh: true,
    });
  } catch (error) {
    return {
      probeError: `The health contract could not be probed: ${
        (error as Error).message
      }`,
    };
  }
}
