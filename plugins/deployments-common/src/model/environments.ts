/**
 * The default environments, in the order a build travels through them
 * (OTAP). An installation may configure other names and another order with
 * `deployments.environmentOrder`.
 *
 * @public
 */
export const OTAP_ENVIRONMENT_NAMES = [
  'development',
  'test',
  'acceptance',
  'production',
] as const;

/**
 * An environment's name as configured under `deployments.environments`
 * (a lowercase DNS label, see {@link isEnvironmentName}).
 *
 * @public
 */
export type EnvironmentName = string;

/**
 * An environment as the portal presents it: where it runs and whether a
 * deployment there needs approval. Lists of environments are always in the
 * configured order.
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
  /**
   * Whether this is a production environment: the policies' strictest
   * defaults apply (digests, a change reference, the previous environment's
   * build, at least two replicas).
   */
  production: boolean;
};

const NAME = /^[a-z]([a-z0-9-]{0,28}[a-z0-9])?$/;

/**
 * Whether `value` is a well-formed environment name: a lowercase DNS label of
 * at most 30 characters (it becomes part of namespaces, labels and entity
 * names). Whether the environment is configured is a separate question.
 *
 * @public
 */
export function isEnvironmentName(value: unknown): value is EnvironmentName {
  return typeof value === 'string' && NAME.test(value);
}

/**
 * The environment a build is promoted to from `from` in `order` (the
 * configured environment names, first to last), or `undefined` when `from`
 * is the last one or not in `order`.
 *
 * @public
 */
export function nextEnvironment(
  from: EnvironmentName,
  order: readonly EnvironmentName[],
): EnvironmentName | undefined {
  const index = order.indexOf(from);
  return index < 0 ? undefined : order[index + 1];
}

/**
 * The environment before `environment` in `order`, or `undefined` when it is
 * the first one or not in `order`.
 *
 * @public
 */
export function previousEnvironment(
  environment: EnvironmentName,
  order: readonly EnvironmentName[],
): EnvironmentName | undefined {
  const index = order.indexOf(environment);
  return index > 0 ? order[index - 1] : undefined;
}

/**
 * A comparator of environment names by their place in `order`; names not in
 * it sort last, alphabetically.
 *
 * @public
 */
export function compareEnvironments(
  order: readonly EnvironmentName[],
): (a: EnvironmentName, b: EnvironmentName) => number {
  const rank = (name: EnvironmentName) => {
    const index = order.indexOf(name);
    return index < 0 ? order.length : index;
  };
  return (a, b) => rank(a) - rank(b) || a.localeCompare(b);
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
