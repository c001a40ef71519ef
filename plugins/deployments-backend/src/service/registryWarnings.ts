import { EnvironmentConfig } from './readEnvironments';

/**
 * Start-up warnings for environments that require approval but take images
 * from any registry: an approver reviews a reference, not the bytes behind
 * it, so such an environment should name the registries it trusts.
 */
export function registryWarnings(environments: EnvironmentConfig[]): string[] {
  const warnings: string[] = [];
  for (const environment of environments) {
    if (!environment.requiresApproval) continue;
    const key = `deployments.environments.${environment.name}.policies.image-source`;
    const settings = environment.policies['image-source'] ?? {};
    if (settings.enabled === false) {
      warnings.push(
        `${key}.enabled is false: ${environment.name} requires approval but checks neither the registry nor the tag of its images; switch the policy on and set ${key}.allowedRegistries`,
      );
      continue;
    }
    const allowed = settings.allowedRegistries;
    if (!Array.isArray(allowed) || allowed.length === 0) {
      warnings.push(
        `${key}.allowedRegistries is empty: ${environment.name} requires approval but accepts images from any registry; set it to the registries you trust, e.g. [ghcr.io/your-org]`,
      );
    }
  }
  return warnings;
}
