import { isDns1123Label } from './kubernetes';

/**
 * Container image repository (no tag or digest) of a deployable Component,
 * e.g. `ghcr.io/acme/payments-api`. Its presence marks a Component deployable.
 *
 * @public
 */
export const ANNOTATION_IMAGE = 'deployments/image';

/**
 * The Kubernetes plugin's annotation: the `backstage.io/kubernetes-id` label
 * value of the application's objects.
 *
 * @public
 */
export const ANNOTATION_KUBERNETES_ID = 'backstage.io/kubernetes-id';

/**
 * Base URL where the service answers the health contract, per environment:
 * `{{ environment }}` is replaced, e.g. `https://payments-{{ environment }}.acme.internal`.
 *
 * @public
 */
export const ANNOTATION_HEALTH_URL = 'deployments/health-url';

// The repository part of the distribution reference grammar
// (github.com/distribution/reference): optional registry host[:port], then
// lowercase path components separated by '/'.
/**
 * An image repository without tag or digest (distribution reference grammar).
 *
 * @public
 */
export const IMAGE_REPOSITORY_PATTERN =
  /^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/**
 * Problems with the deployments annotations of an entity, as messages that
 * name the annotation, what is wrong and what is expected. Empty when fine or
 * when the entity does not use the annotations.
 *
 * @public
 */
export function validateDeploymentAnnotations(
  annotations: Record<string, string> | undefined,
): string[] {
  const problems: string[] = [];
  const image = annotations?.[ANNOTATION_IMAGE];
  if (image !== undefined && !IMAGE_REPOSITORY_PATTERN.test(image)) {
    problems.push(
      `Annotation ${ANNOTATION_IMAGE} '${image}' is not an image repository; ` +
        `expected a repository without tag or digest, e.g. ghcr.io/acme/payments-api`,
    );
  }
  if (image !== undefined) {
    const kubernetesId = annotations?.[ANNOTATION_KUBERNETES_ID];
    if (kubernetesId === undefined) {
      problems.push(
        `Annotation ${ANNOTATION_KUBERNETES_ID} is missing on a deployable component (it has ${ANNOTATION_IMAGE}); ` +
          `add it with the component's name so the Kubernetes tab finds its objects`,
      );
    } else if (!isDns1123Label(kubernetesId)) {
      problems.push(
        `Annotation ${ANNOTATION_KUBERNETES_ID} '${kubernetesId}' is not a DNS-1123 label; ` +
          `expected lowercase letters, digits and '-', e.g. payments-api`,
      );
    }
  }
  const healthUrl = annotations?.[ANNOTATION_HEALTH_URL];
  if (healthUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(healthUrl.replace(/\{\{\s*environment\s*\}\}/g, 'test'));
    } catch {
      url = undefined;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol)) {
      problems.push(
        `Annotation ${ANNOTATION_HEALTH_URL} '${healthUrl}' is not an http(s) URL; ` +
          `expected a base URL such as https://payments-{{ environment }}.acme.internal`,
      );
    }
  }
  return problems;
}
