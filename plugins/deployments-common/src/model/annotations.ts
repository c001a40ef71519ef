/**
 * Container image repository (no tag or digest) of a deployable Component,
 * e.g. `ghcr.io/acme/payments-api`. Its presence marks a Component deployable.
 *
 * @public
 */
export const ANNOTATION_IMAGE = 'deployments/image';

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
