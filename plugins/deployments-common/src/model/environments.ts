/**
 * The OTAP environments, in the only order a build may travel through them.
 *
 * @public
 */
export const ENVIRONMENT_NAMES = [
  'development',
  'test',
  'acceptance',
  'production',
] as const;

/** @public */
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/**
 * An environment as the portal presents it: where it runs and whether a
 * deployment there needs approval.
 *
 * @public
 */
export type EnvironmentSummary = {
  name: EnvironmentName;
  /** Cluster name, as in the Kubernetes plugin's cluster configuration. */
  cluster: string;
  /** Namespace pattern, e.g. `{{ application }}-{{ environment }}`. */
  namespacePattern: string;
  requiresApproval: boolean;
};

/** @public */
export function isEnvironmentName(value: unknown): value is EnvironmentName {
  return (
    typeof value === 'string' &&
    (ENVIRONMENT_NAMES as readonly string[]).includes(value)
  );
}

/**
 * The environment a build is promoted to from `from`, or `undefined` when
 * `from` is production (the end of the line).
 *
 * @public
 */
export function nextEnvironment(
  from: EnvironmentName,
): EnvironmentName | undefined {
  return ENVIRONMENT_NAMES[ENVIRONMENT_NAMES.indexOf(from) + 1];
}

/**
 * Sorts anything carrying an environment name into OTAP order.
 *
 * @public
 */
export function sortByEnvironment<T extends { name: EnvironmentName }>(
  items: readonly T[],
): T[] {
  return [...items].sort(
    (a, b) =>
      ENVIRONMENT_NAMES.indexOf(a.name) - ENVIRONMENT_NAMES.indexOf(b.name),
  );
}

/**
 * The namespace an application gets in an environment: the environment's
 * pattern with `{{ application }}` (the entity's name; an entity ref is
 * accepted) and `{{ environment }}` replaced.
 *
 * @public
 */
export function namespaceFor(
  application: string,
  environment: Pick<EnvironmentSummary, 'name' | 'namespacePattern'>,
): string {
  const name = application.slice(
    Math.max(application.lastIndexOf('/'), application.lastIndexOf(':')) + 1,
  );
  return environment.namespacePattern
    .replace(/\{\{\s*application\s*\}\}/g, name)
    .replace(/\{\{\s*environment\s*\}\}/g, environment.name);
}
