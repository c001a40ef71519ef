import { parseEntityRef } from '@backstage/catalog-model';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  isPendingApproval,
  namespaceFor,
  nextEnvironment,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { DeploymentService } from '@deployments-portal/backstage-plugin-deployments-node';
import { examples } from './promote.examples';
import {
  entityLink,
  followChange,
  reportPendingApproval,
  requestOnce,
} from './shared';

// Variables that name the environment follow the deployment, not the source.
const ENVIRONMENT_VARIABLES = new Set(['ENVIRONMENT', 'PYTHON_ENV']);

/**
 * `deployments:promote` — takes what runs in one environment (the same image
 * and settings) to the next one in the configured order. Never skips an environment.
 *
 * @public
 */
export function createPromoteAction(options: {
  deployments: DeploymentService;
  /** The approvals page's path in the app (`deployments.approvals.pagePath`). */
  approvalsPath?: string;
}) {
  const { deployments, approvalsPath } = options;
  return createTemplateAction({
    id: 'deployments:promote',
    description:
      'Promotes the image and settings running in one environment to the next one in the configured order (OTAP by default: development → test → acceptance → production), refusing to skip one.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        application: z =>
          z
            .string()
            .describe(
              'Catalog entity ref of the component, e.g. component:default/payments-api',
            ),
        from: z =>
          z.string().describe('Environment whose deployment is promoted'),
        to: z =>
          z
            .string()
            .optional()
            .describe(
              'Target environment; must be the next one after `from` (checked)',
            ),
        changeReference: z =>
          z
            .string()
            .optional()
            .describe('Change ticket URL (required for production)'),
        timeoutSeconds: z =>
          z.number().int().optional().describe('Rollout timeout'),
      },
      output: {
        environment: z => z.string().describe('Environment promoted to'),
        revision: z =>
          z
            .number()
            .optional()
            .describe(
              'Revision in the target history (absent while pending approval)',
            ),
        status: z =>
          z
            .string()
            .optional()
            .describe(
              'succeeded, or pending-approval (the target requires approval: nothing applied yet)',
            ),
        approvalId: z =>
          z
            .string()
            .optional()
            .describe('The approval request, when pending approval'),
        approvalUrl: z =>
          z
            .string()
            .optional()
            .describe('Where approvers decide, when pending approval'),
        image: z => z.string().describe('The image promoted'),
        entityUrl: z => z.string().describe("Link to the application's page"),
      },
    },
    async handler(ctx) {
      const credentials = await ctx.getInitiatorCredentials();
      const { application, from } = ctx.input;
      const environments = await deployments.listEnvironments({ credentials });
      const order = environments.map(e => e.name);
      if (!order.includes(from)) {
        throw new Error(
          `Cannot promote from ${from}: it is not a configured environment (order: ${order.join(
            ' → ',
          )})`,
        );
      }
      const next = nextEnvironment(from, order);
      if (!next) {
        throw new Error(
          `Cannot promote from ${from}: it is the last environment`,
        );
      }
      if (ctx.input.to && ctx.input.to !== next) {
        throw new Error(
          `Refusing to promote from ${from} to ${
            ctx.input.to
          }: the next environment after ${from} is ${next} (order: ${order.join(
            ' → ',
          )})`,
        );
      }
      const source = environments.find(e => e.name === from)!;
      const target = environments.find(e => e.name === next)!;
      const name = parseEntityRef(application).name;
      const current = await deployments.get(
        {
          environment: from,
          namespace: namespaceFor(application, source),
          name,
        },
        { credentials },
      );
      if (
        current.record.status !== 'succeeded' ||
        current.record.action === 'delete'
      ) {
        throw new Error(
          `${application} is not running successfully in ${from} (its latest change ended ${current.record.status}); fix ${from} first`,
        );
      }
      const {
        requester: _r,
        namespace: _n,
        environment: _e,
        ...settings
      } = current.record.request;
      const request = {
        ...settings,
        environment: next,
        namespace: namespaceFor(application, target),
        env: settings.env.map(variable =>
          ENVIRONMENT_VARIABLES.has(variable.name) && 'value' in variable
            ? { ...variable, value: next }
            : variable,
        ),
        changeReference: ctx.input.changeReference ?? settings.changeReference,
      };
      ctx.logger.info(
        `Promoting ${current.record.image} of ${application} from ${from} to ${next}`,
      );

      if (ctx.isDryRun) {
        await deployments.deploy(request, { credentials, dryRun: true });
        ctx.output('environment', next);
        ctx.output('revision', 0);
        ctx.output('image', current.record.image);
        ctx.output('entityUrl', entityLink(application));
        return;
      }

      const outcome = await requestOnce(
        ctx,
        `deployments:promote:${application}:${from}:${current.record.revision}`,
        idempotencyKey =>
          deployments.deploy(request, {
            credentials,
            timeoutSeconds: ctx.input.timeoutSeconds,
            taskId: ctx.task.id,
            idempotencyKey,
          }),
      );
      if (isPendingApproval(outcome)) {
        reportPendingApproval(ctx, outcome, approvalsPath);
        ctx.output('environment', next);
        ctx.output('image', current.record.image);
        ctx.output('entityUrl', entityLink(application));
        return;
      }
      const record = await followChange(ctx, deployments, credentials, outcome);
      if (record.status !== 'succeeded') {
        throw new Error(
          `Promotion to ${next} (revision ${record.revision}) ended ${
            record.status
          }: ${record.error ?? 'no reason recorded'}`,
        );
      }
      ctx.output('environment', next);
      ctx.output('status', record.status);
      ctx.output('revision', record.revision);
      ctx.output('image', record.image);
      ctx.output('entityUrl', entityLink(application));
    },
  });
}
