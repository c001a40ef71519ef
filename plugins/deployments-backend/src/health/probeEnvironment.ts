import { ANNOTATION_HEALTH_URL } from '@deployments-portal/backstage-plugin-deployments-common';
import { Check, CheckContext, ProbeOutcome } from './checkTypes';
import { probeDirect } from './probeDirect';
import { probeThroughServiceProxy } from './probeThroughServiceProxy';

/** Where the contract is probed: annotation, else the environment's config. */
export async function probeEnvironment(
  context: CheckContext,
  check: Check,
): Promise<ProbeOutcome> {
  const { entity, environment, settings } = check;
  const annotation = entity.metadata.annotations?.[ANNOTATION_HEALTH_URL];
  if (annotation !== undefined) {
    return probeDirect(
      context,
      check,
      annotation.replace(/\{\{\s*environment\s*\}\}/g, environment.name),
      `annotation ${ANNOTATION_HEALTH_URL}`,
    );
  }
  if (settings.via === 'service-proxy') {
    return probeThroughServiceProxy(context, check);
  }
  if (settings.urlPattern) {
    return probeDirect(
      context,
      check,
      settings.urlPattern
        .replace(/\{\{\s*application\s*\}\}/g, entity.metadata.name)
        .replace(/\{\{\s*environment\s*\}\}/g, environment.name),
      `deployments.environments.${environment.name}.health.urlPattern`,
    );
  }
  return {
    probeError: `No health target for ${environment.name}: add the ${ANNOTATION_HEALTH_URL} annotation to the entity, or set deployments.environments.${environment.name}.health.urlPattern (or via: service-proxy)`,
  };
}
