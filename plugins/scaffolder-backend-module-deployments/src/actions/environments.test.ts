import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ActionContext } from '@backstage/plugin-scaffolder-node';
import { EnvironmentSummary } from '@deployments-portal/backstage-plugin-deployments-common';
import { DeploymentService } from '@deployments-portal/backstage-plugin-deployments-node';
import { JsonObject } from '@backstage/types';
import yaml from 'yaml';
import { createEnvironmentsAction } from './environments';
import { examples } from './environments.examples';

const environment = (
  name: EnvironmentSummary['name'],
  requiresApproval = false,
): EnvironmentSummary => ({
  name,
  cluster: 'local',
  namespacePattern: '{{ application }}-{{ environment }}',
  requiresApproval,
  production: name === 'production',
});

function setup(environments: EnvironmentSummary[]) {
  const credentials = mockCredentials.user('user:default/ada');
  // Only listEnvironments is used by this action.
  const deployments = {
    listEnvironments: jest.fn().mockResolvedValue(environments),
  } as Partial<
    jest.Mocked<DeploymentService>
  > as jest.Mocked<DeploymentService>;
  const action = createEnvironmentsAction({ deployments });
  const outputs: Record<string, unknown> = {};
  const context = (input: JsonObject) =>
    ({
      input,
      logger: mockServices.logger.mock(),
      workspacePath: '/tmp',
      task: { id: 'task-1' },
      output: (name: string, value: unknown) => {
        outputs[name] = value;
      },
      checkpoint: async ({ fn }: { fn: () => Promise<unknown> }) => fn(),
      createTemporaryDirectory: async () => '/tmp',
      getInitiatorCredentials: async () => credentials,
    } as unknown as ActionContext<any, any>);
  return { action, deployments, outputs, context, credentials };
}

const all = [
  environment('development'),
  environment('test'),
  environment('acceptance'),
  environment('production', true),
];

describe('deployments:environments', () => {
  it('lists environments on behalf of the initiating user', async () => {
    const { action, deployments, outputs, context, credentials } = setup(all);

    await action.handler(context({}));

    expect(deployments.listEnvironments).toHaveBeenCalledWith({
      credentials,
    });
    expect(outputs).toEqual({
      environments: ['development', 'test', 'acceptance', 'production'],
      approvalRequired: ['production'],
    });
  });

  it('names the next environment in the configured order', async () => {
    const { action, outputs, context } = setup(all);
    await action.handler(context({ from: 'test' }));
    expect(outputs.next).toBe('acceptance');

    const own = setup([
      environment('dev'),
      environment('staging', true),
      environment('prod-eu', true),
    ]);
    await own.action.handler(own.context({ from: 'staging' }));
    expect(own.outputs).toEqual({
      environments: ['dev', 'staging', 'prod-eu'],
      approvalRequired: ['staging', 'prod-eu'],
      next: 'prod-eu',
    });
  });

  it('refuses to promote beyond production', async () => {
    const { action, context } = setup(all);
    await expect(
      action.handler(context({ from: 'production' })),
    ).rejects.toThrow(
      "Cannot promote from 'production': it is the last environment",
    );
  });

  it('refuses to promote from an environment that is not configured, or past the last configured one', async () => {
    const { action, context } = setup([environment('development')]);
    await expect(action.handler(context({ from: 'test' }))).rejects.toThrow(
      "Cannot promote from 'test': it is not a configured environment (order: development)",
    );
    await expect(
      action.handler(context({ from: 'development' })),
    ).rejects.toThrow(
      "Cannot promote from 'development': it is the last environment (order: development)",
    );
  });

  it('runs every example', async () => {
    for (const example of examples) {
      const { action, context } = setup(all);
      const steps = yaml.parse(example.example).steps;
      for (const step of steps) {
        expect(step.action).toBe(action.id);
        await expect(
          action.handler(context(step.input ?? {})),
        ).resolves.toBeUndefined();
      }
    }
  });
});
