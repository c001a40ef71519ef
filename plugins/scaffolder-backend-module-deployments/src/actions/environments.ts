import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { nextEnvironment } from '@deployments-portal/backstage-plugin-deployments-common';
import { DeploymentService } from '@deployments-portal/backstage-plugin-deployments-node';
import { examples } from './environments.examples';

/**
 * Creates the `deployments:environments` action: the configured
 * environments in promotion order and, given a source environment, the one a promotion goes to.
 *
 * @public
 */
export function createEnvironmentsAction(options: {
  deployments: DeploymentService;
}) {
  return createTemplateAction({
    id: 'deployments:environments',
    description:
      'Lists the deployment environments in their configured promotion order (OTAP by default) and, given one, names the next environment to promote to.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        from: z =>
          z
            .string()
            .optional()
            .describe(
              'Environment a build is promoted from; the output `next` is the environment after it',
            ),
      },
      output: {
        environments: z =>
          z
            .array(z.string())
            .describe('Configured environment names, in promotion order'),
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

      const { from } = ctx.input;
      if (from) {
        const order = environments.map(e => e.name);
        if (!order.includes(from)) {
          throw new Error(
            `Cannot promote from '${from}': it is not a configured environment (order: ${order.join(
              ' → ',
            )})`,
          );
        }
        const next = nextEnvironment(from, order);
        if (!next) {
          throw new Error(
            `Cannot promote from '${from}': it is the last environment (order: ${order.join(
              ' → ',
            )})`,
          );
        }
        ctx.output('next', next);
      }
    },
  });
}
