import { Policy } from './types';

const DEFAULT_EXAMPLE = 'https://jira.acme.example/browse/OPS-123';

/**
 * A team's own change reference rule in an environment
 * (`changeReferenceTeams`): it replaces the environment's pattern, example
 * and, when set, whether a reference is required.
 */
export type ChangeReferenceTeamRule = {
  /** The owning group, e.g. `group:default/team-payments`. */
  team: string;
  pattern?: string;
  example?: string;
  required?: boolean;
};

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Change references where the environment (or the owning team) requires
 * them, matching its pattern when it has one, so that a change can be
 * traced to the company's ticket. Parameters: `required` (default: the
 * environment is a production one), `pattern` (a regular expression the
 * whole reference must match), `example` (shown in the hint) and `teams`
 * (ChangeReferenceTeamRule[]: the owning team's own rule).
 *
 * @public
 */
export const changeReferencePolicy: Policy = {
  id: 'change-reference',
  title: 'Change reference',
  description:
    'Deployments to production (or wherever configured) name the change: a ticket URL, matching the environment’s or team’s pattern when one is set.',
  defaultSeverity: 'error',
  defaults: environment => ({ required: environment.production }),
  evaluate({ request, context }, parameters) {
    const teams = Array.isArray(parameters.teams)
      ? (parameters.teams as ChangeReferenceTeamRule[])
      : [];
    const team = teams.find(rule => rule?.team === context.owner);
    const required =
      typeof team?.required === 'boolean'
        ? team.required
        : parameters.required === true;
    const pattern = text(team?.pattern) ?? text(parameters.pattern);
    const example =
      text(team?.example) ?? text(parameters.example) ?? DEFAULT_EXAMPLE;
    const whose = team
      ? `${request.environment} (for ${team.team})`
      : request.environment;
    const reference = request.changeReference;
    if (!reference) {
      return required
        ? [
            {
              path: 'changeReference',
              message: `${whose} requires a change reference`,
              hint: `add the URL of the change ticket, e.g. ${example}${
                pattern ? ` (it must match ${pattern})` : ''
              }`,
            },
          ]
        : [];
    }
    if (pattern && !new RegExp(pattern, 'u').test(reference)) {
      return [
        {
          path: 'changeReference',
          message: `${reference} is not a ticket of the tracker ${whose} uses: it must match ${pattern}`,
          hint: `use the URL of the change ticket, e.g. ${example}`,
        },
      ];
    }
    return [];
  },
};
