import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { EnvironmentConfig } from './readEnvironments';

const POLICY = 'change-reference';

function checkedPattern(pattern: string | undefined, key: string) {
  if (pattern === undefined) return undefined;
  try {
    // eslint-disable-next-line no-new
    new RegExp(pattern, 'u');
  } catch (error) {
    throw new Error(
      `Invalid config at ${key}: ${
        (error as Error).message
      }; write a JavaScript regular expression for the whole reference, e.g. ^https://jira\\.example\\.com/browse/[A-Z]+-\\d+$`,
    );
  }
  return pattern;
}

/**
 * The change reference keys of each environment (`requireChangeReference`,
 * `changeReferencePattern`, `changeReferenceExample`,
 * `changeReferenceTeams`) as parameters of the `change-reference` policy,
 * over what its `policies.change-reference` section says. A pattern that is
 * no regular expression or a team that is no group stops the backend at
 * start-up, naming the key.
 */
export function withChangeReferenceSettings(
  environments: EnvironmentConfig[],
  config: Config,
): EnvironmentConfig[] {
  return environments.map(environment => {
    const base = `deployments.environments.${environment.name}`;
    const env = config.getOptionalConfig(base);
    if (!env) return environment;
    const required = env.getOptionalBoolean('requireChangeReference');
    const pattern = checkedPattern(
      env.getOptionalString('changeReferencePattern'),
      `${base}.changeReferencePattern`,
    );
    const example = env.getOptionalString('changeReferenceExample');
    const teams = env
      .getOptionalConfigArray('changeReferenceTeams')
      ?.map((rule, index) => {
        const key = `${base}.changeReferenceTeams[${index}]`;
        const team = rule.getString('team');
        let ref: string;
        try {
          ref = stringifyEntityRef(
            parseEntityRef(team, {
              defaultKind: 'group',
              defaultNamespace: 'default',
            }),
          );
        } catch {
          throw new Error(
            `Invalid config at ${key}.team: '${team}' is not a group, e.g. team-payments or group:default/team-payments`,
          );
        }
        const teamPattern = checkedPattern(
          rule.getOptionalString('pattern'),
          `${key}.pattern`,
        );
        const teamExample = rule.getOptionalString('example');
        const teamRequired = rule.getOptionalBoolean('required');
        return {
          team: ref,
          ...(teamPattern !== undefined ? { pattern: teamPattern } : {}),
          ...(teamExample !== undefined ? { example: teamExample } : {}),
          ...(teamRequired !== undefined ? { required: teamRequired } : {}),
        };
      });
    const parameters = {
      ...(required !== undefined ? { required } : {}),
      ...(pattern !== undefined ? { pattern } : {}),
      ...(example !== undefined ? { example } : {}),
      ...(teams ? { teams } : {}),
    };
    if (Object.keys(parameters).length === 0) return environment;
    return {
      ...environment,
      policies: {
        ...environment.policies,
        [POLICY]: { ...environment.policies[POLICY], ...parameters },
      },
    };
  });
}
