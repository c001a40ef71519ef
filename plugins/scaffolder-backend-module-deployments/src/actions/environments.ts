import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  ENVIRONMENT_NAMES,
  nextEnvironment,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { DeploymentService } from '@deployments-portal/backstage-plugin-deployments-node';
import { examples } from './environments.examples';

/**
 * Creates the `deployments:environments` action: the configured OTAP
 * environments and, given a source environment, the one a promotion goes to.
 *
 * @public
 */
export function createEnvironmentsAction(options: {
  deployments: DeploymentService;
}) {
  return createTemplateAction({
    id: 'deployments:environments',
    description:
      'Lists the deployment environments in OTAP order and, given one, names the next environment to promote to.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        from: z =>
          z
            .enum(ENVIRONMENT_NAMES)
            .optional()
            .describe(
              'Environment a build is promoted from; the output `next` is the environment after it',
            ),
      },
      output: {
        environments: z =>
          z
            .array(z.string())
            .describe('Configured environment names, in OTAP order'),
        approvalRequired: z =>
          z
            .array(z.string())
            .describe('Environments where a deployment needs approval'),
        next: z =>
          z
            .string()
            .optional()
            .describe('The environment after `from`, when `from` was given'),
      },
    },
    async handler(ctx) {
      const environments = await options.deployments.listEnvironments({
        credentials: await ctx.getInitiatorCredentials(),
      });
      ctx.output(
        'environments',
        environments.map(e => e.name),
      );
      ctx.output(
        'approvalRequired',
        environments.filter(e => e.requiresApproval).map(e => e.name),
      );

      if (ctx.input.from) {
        const next = nextEnvironment(ctx.input.from);
        if (!next) {
          throw new Error(
            `Cannot promote from '${
              ctx.input.from
            }': it is the last environment (OTAP order is ${ENVIRONMENT_NAMES.join(
              ' → ',
            )})`,
          );
        }
        if (!environments.some(e => e.name === next)) {
          throw new Error(
            `Cannot promote from '${ctx.input.from}' to '${next}': '${next}' is not configured in deployments.environments`,
          );
        }
        ctx.output('next', next);
      }
    },
  });
}
