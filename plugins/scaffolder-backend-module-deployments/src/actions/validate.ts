import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { namespaceFor } from '@deployments-portal/backstage-plugin-deployments-common';
import { DeploymentService } from '@deployments-portal/backstage-plugin-deployments-node';
import { examples } from './validate.examples';
import { describeProblems, withSecretReferences } from './shared';

/**
 * `deployments:validate` — policies and a server-side dry run; fails the step
 * listing every error, outputs the warnings.
 *
 * @public
 */
export function createValidateAction(options: {
  deployments: DeploymentService;
}) {
  const { deployments } = options;
  return createTemplateAction({
    id: 'deployments:validate',
    description:
      'Checks a deployment against the policies and a Kubernetes server-side dry run; fails with every violation (field, message, hint).',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        request: z =>
          z
            .record(z.string(), z.unknown())
            .describe(
              'The deployment request (same fields as deployments:deploy); namespace defaults from the environment',
            ),
      },
      output: {
        warnings: z =>
          z
            .array(
              z.object({
                policyId: z.string(),
                path: z.string(),
                message: z.string(),
                hint: z.string(),
              }),
            )
            .describe('Warning-level policy findings'),
        namespace: z => z.string().describe('Namespace checked'),
      },
    },
    async handler(ctx) {
      const credentials = await ctx.getInitiatorCredentials();
      const { secrets, ...fields } = ctx.input.request as Record<
        string,
        unknown
      >;
      const request: Record<string, unknown> = {
        ...fields,
        env: withSecretReferences(
          fields.env as unknown[] | undefined,
          secrets as
            | Array<{ name: string; secret: string; key: string }>
            | undefined,
        ),
      };
      if (!request.namespace && typeof request.application === 'string') {
        const environment = (
          await deployments.listEnvironments({ credentials })
        ).find(e => e.name === request.environment);
        if (environment) {
          request.namespace = namespaceFor(request.application, environment);
        }
      }
      const result = await deployments.validate(request, { credentials });
      const warnings = result.violations
        .filter(v => v.severity === 'warning')
        .map(({ policyId, path, message, hint }) => ({
          policyId,
          path,
          message,
          hint,
        }));
      for (const warning of warnings) {
        ctx.logger.warn(
          `[${warning.policyId}] ${warning.path}: ${warning.message} (${warning.hint})`,
        );
      }
      if (!result.valid) {
        throw new Error(
          `The deployment does not pass validation:\n${describeProblems(
            result.errors,
            result.violations,
          )}${
            result.dryRun && !result.dryRun.ok
              ? `\n- Kubernetes dry run: ${result.dryRun.error}`
              : ''
          }`,
        );
      }
      ctx.output('warnings', warnings);
      ctx.output('namespace', String(request.namespace ?? ''));
    },
  });
}
