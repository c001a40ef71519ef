import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  isPendingApproval,
  namespaceFor,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { DeploymentService } from '@deployments-portal/backstage-plugin-deployments-node';
import { examples } from './deploy.examples';
import {
  entityLink,
  followChange,
  reportPendingApproval,
  requestOnce,
  withSecretReferences,
} from './shared';

/**
 * `deployments:deploy` — deploys through the deployments service as the user
 * who runs the template and waits for the rollout.
 *
 * @public
 */
export function createDeployAction(options: {
  deployments: DeploymentService;
  /** The approvals page's path in the app (`deployments.approvals.pagePath`). */
  approvalsPath?: string;
}) {
  const { deployments, approvalsPath } = options;
  return createTemplateAction({
    id: 'deployments:deploy',
    description:
      'Queues a deployment of an application to an environment and follows it until it is Ready (the portal rolls back automatically when it does not become ready), writing each step into the task log. Honours dry runs; a retried task never deploys twice.',
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
        environment: z =>
          z
            .string()
            .describe(
              'Target environment, as configured in deployments.environments',
            ),
        namespace: z =>
          z
            .string()
            .optional()
            .describe(
              "Namespace; default: the environment's namespace pattern for the application",
            ),
        image: z =>
          z
            .object({
              repository: z
                .string()
                .describe('Image repository, e.g. ghcr.io/acme/payments-api'),
              tag: z.string().optional().describe('Image tag, e.g. 1.4.2'),
              digest: z
                .string()
                .optional()
                .describe('Image digest (sha256:…); required in production'),
            })
            .describe('The image to run'),
        replicas: z =>
          z.number().int().optional().describe('Number of pods (default 1)'),
        resources: z =>
          z
            .object({
              requests: z.object({ cpu: z.string(), memory: z.string() }),
              limits: z.object({ cpu: z.string(), memory: z.string() }),
            })
            .describe(
              'CPU and memory requests and limits (Kubernetes quantities)',
            ),
        env: z =>
          z
            .array(z.record(z.string(), z.unknown()))
            .optional()
            .describe(
              'Env vars: { name, value } or { name, secretKeyRef: { name, key } }',
            ),
        secrets: z =>
          z
            .array(
              z.object({
                name: z.string().describe('Variable name, e.g. SECRET_KEY'),
                secret: z.string().describe('Kubernetes Secret name'),
                key: z.string().describe('Key in the Secret'),
              }),
            )
            .optional()
            .describe(
              'Secret references, added to env as secretKeyRef entries',
            ),
        autoscaling: z =>
          z
            .object({
              minReplicas: z.number().int(),
              maxReplicas: z.number().int(),
              targetCPUUtilizationPercentage: z.number().int().optional(),
            })
            .optional()
            .describe('Horizontal pod autoscaling'),
        egress: z =>
          z
            .array(
              z.object({
                cidr: z.string().optional().describe('e.g. 10.20.0.0/16'),
                namespace: z.string().optional().describe('e.g. payments-db'),
                ports: z.array(z.number().int()).describe('TCP ports'),
              }),
            )
            .optional()
            .describe(
              'Destinations the pods may call besides DNS and the application itself (NetworkPolicy egress)',
            ),
        changeReference: z =>
          z
            .string()
            .optional()
            .describe('Change ticket URL (required for production)'),
        builtAt: z =>
          z
            .string()
            .optional()
            .describe(
              'When CI built the image (ISO 8601 with a zone); lead time in the delivery insights starts here',
            ),
        timeoutSeconds: z =>
          z
            .number()
            .int()
            .optional()
            .describe(
              'Rollout timeout; default from deployments.rollout.timeoutSeconds',
            ),
      },
      output: {
        revision: z =>
          z
            .number()
            .optional()
            .describe(
              'Revision in the deployment history (absent while pending approval)',
            ),
        status: z =>
          z
            .string()
            .describe(
              'succeeded, dry-run, or pending-approval (the environment requires approval: nothing applied yet)',
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
        namespace: z => z.string().describe('Namespace deployed to'),
        entityUrl: z => z.string().describe("Link to the application's page"),
      },
    },
    async handler(ctx) {
      const credentials = await ctx.getInitiatorCredentials();
      const { timeoutSeconds, secrets, ...rest } = ctx.input;
      const input = { ...rest, env: withSecretReferences(rest.env, secrets) };
      let namespace = input.namespace;
      if (!namespace) {
        const environments = await deployments.listEnvironments({
          credentials,
        });
        const environment = environments.find(
          e => e.name === input.environment,
        );
        if (!environment) {
          throw new Error(
            `Environment ${input.environment} is not configured in the portal`,
          );
        }
        namespace = namespaceFor(input.application, environment);
      }
      const request = { ...input, namespace };

      if (ctx.isDryRun) {
        await deployments.deploy(request, { credentials, dryRun: true });
        ctx.logger.info(
          `Dry run: ${input.application} would deploy to ${input.environment}/${namespace}`,
        );
        ctx.output('revision', 0);
        ctx.output('status', 'dry-run');
        ctx.output('namespace', namespace);
        ctx.output('entityUrl', entityLink(input.application));
        return;
      }

      ctx.logger.info(
        `Deploying ${input.application} to ${input.environment}/${namespace} ...`,
      );
      // A retried task finds the checkpoint (or the backend the idempotency
      // key) and does not deploy twice.
      const outcome = await requestOnce(
        ctx,
        `deployments:deploy:${input.environment}:${namespace}:${input.application}`,
        idempotencyKey =>
          deployments.deploy(request, {
            credentials,
            timeoutSeconds,
            taskId: ctx.task.id,
            idempotencyKey,
          }),
      );
      if (isPendingApproval(outcome)) {
        reportPendingApproval(ctx, outcome, approvalsPath);
        ctx.output('namespace', namespace);
        ctx.output('entityUrl', entityLink(input.application));
        return;
      }
      const record = await followChange(ctx, deployments, credentials, outcome);
      if (record.status !== 'succeeded') {
        throw new Error(
          `Deployment revision ${record.revision} ended ${record.status}: ${
            record.error ?? 'no reason recorded'
          }`,
        );
      }
      ctx.logger.info(
        `Revision ${record.revision} is Ready in ${input.environment}`,
      );
      ctx.output('revision', record.revision);
      ctx.output('status', record.status);
      ctx.output('namespace', namespace);
      ctx.output('entityUrl', entityLink(input.application));
    },
  });
}
