import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { ActionContext } from '@backstage/plugin-scaffolder-node';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports -- test only: the real deployments backend
import deploymentsPlugin from '@deployments-portal/backstage-plugin-deployments-backend';
import { DefaultDeploymentServiceClient } from '@deployments-portal/backstage-plugin-deployments-node';
import {
  caData,
  getTestCluster,
  kubeConfigFor,
  seedPortalAccess,
  // eslint-disable-next-line @backstage/no-mixed-plugin-imports -- test only: the real API server
} from '@internal/kube-sim';
import { AddressInfo } from 'node:net';
import yaml from 'yaml';
import { createDeployAction } from './deploy';
import { examples as deployExamples } from './deploy.examples';
import { createPromoteAction } from './promote';
import { examples as promoteExamples } from './promote.examples';
import { createValidateAction } from './validate';
import { examples as validateExamples } from './validate.examples';

// The actions drive the real deployments backend (over its REST API, as in
// the portal) against a kube-sim cluster.
jest.setTimeout(180_000);

const credentials = mockCredentials.user('user:default/ada');
// The test cluster is shared with other suites: own namespaces only.
const PATTERN = 'actions-{{ application }}-{{ environment }}';

function context(
  input: Record<string, unknown>,
  options: {
    dryRun?: boolean;
    checkpoints?: Map<string, unknown>;
    taskId?: string;
  } = {},
) {
  const outputs: Record<string, unknown> = {};
  const checkpoints = options.checkpoints ?? new Map<string, unknown>();
  const ctx = {
    input,
    isDryRun: options.dryRun,
    logger: mockServices.logger.mock(),
    workspacePath: '/tmp',
    task: { id: options.taskId ?? 'task-1' },
    output: (name: string, value: unknown) => {
      outputs[name] = value;
    },
    // Like the scaffolder: a retried task gets the stored result, fn is not run again.
    checkpoint: async ({
      key,
      fn,
    }: {
      key: string;
      fn: () => Promise<unknown>;
    }) => {
      if (!checkpoints.has(key)) checkpoints.set(key, await fn());
      return checkpoints.get(key);
    },
    createTemporaryDirectory: async () => '/tmp',
    getInitiatorCredentials: async () => credentials,
  } as unknown as ActionContext<any, any>;
  return { ctx, outputs, checkpoints };
}

const request = {
  application: 'component:default/payments-api',
  environment: 'development',
  image: { repository: 'ghcr.io/acme/payments-api', tag: '1.0.0' },
  replicas: 2,
  resources: {
    requests: { cpu: '100m', memory: '128Mi' },
    limits: { cpu: '500m', memory: '256Mi' },
  },
  env: [
    { name: 'ENVIRONMENT', value: 'development' },
    {
      name: 'SECRET_KEY',
      secretKeyRef: { name: 'payments-api', key: 'secret-key' },
    },
  ],
};

describe('deployments actions on a real cluster', () => {
  const cluster = getTestCluster();
  const admin = kubeConfigFor(cluster);
  let deployments: DefaultDeploymentServiceClient;

  beforeAll(async () => {
    const token = await seedPortalAccess(
      cluster,
      ['development', 'test', 'production'],
      {
        namespacePrefix: 'actions-',
      },
    );
    const { server } = await startTestBackend({
      features: [
        deploymentsPlugin,
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: { name: 'payments-api', namespace: 'default' },
              spec: {
                type: 'service',
                owner: 'team-payments',
                lifecycle: 'production',
              },
            },
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    {
                      name: 'kube-sim',
                      url: cluster.server,
                      authProvider: 'serviceAccount',
                      serviceAccountToken: token,
                      caData: caData(cluster),
                    },
                  ],
                },
              ],
            },
            deployments: {
              rollout: { timeoutSeconds: 30 },
              environments: {
                development: { cluster: 'kube-sim', namespacePattern: PATTERN },
                test: { cluster: 'kube-sim', namespacePattern: PATTERN },
                production: {
                  cluster: 'kube-sim',
                  namespacePattern: PATTERN,
                  // The examples' digest never ran in acceptance here.
                  policies: { 'otap-order': { enabled: false } },
                },
              },
            },
          },
        }),
      ],
    });
    const port = (server.address() as AddressInfo).port;
    deployments = DefaultDeploymentServiceClient.create({
      discovery: mockServices.discovery.mock({
        getBaseUrl: async () => `http://127.0.0.1:${port}/api/deployments`,
      }),
      auth: mockServices.auth(),
    });
  });

  it('deployments:validate fails with every violation and passes a good request with its warnings', async () => {
    const validate = createValidateAction({ deployments });
    await expect(
      validate.handler(
        context({
          request: {
            ...request,
            env: [{ name: 'JWT_SECRET', value: 'changeme' }],
          },
        }).ctx,
      ),
    ).rejects.toThrow(
      'The deployment does not pass validation:\n- [plaintext-secrets] env[0].value: JWT_SECRET holds a secret as a plain value',
    );

    const { ctx, outputs } = context({
      request: {
        ...request,
        env: [{ name: 'PYTHON_ENV', value: 'development' }],
      },
    });
    await validate.handler(ctx);
    expect(outputs.namespace).toBe('actions-payments-api-development');
    expect(outputs.warnings).toEqual([
      expect.objectContaining({
        policyId: 'canonical-config-names',
        message: 'PYTHON_ENV is an alias of ENVIRONMENT',
      }),
    ]);
  });

  it('deployments:deploy in a dry run applies nothing', async () => {
    const { ctx, outputs } = context(request, { dryRun: true });
    await createDeployAction({ deployments }).handler(ctx);
    expect(outputs).toMatchObject({
      status: 'dry-run',
      namespace: 'actions-payments-api-development',
    });
    const list = await admin.makeApiClient(AppsV1Api).listNamespacedDeployment({
      namespace: 'actions-payments-api-development',
    });
    expect(list.items).toHaveLength(0);
  });

  it('deployments:deploy deploys until Ready, and a retried task does not deploy twice', async () => {
    const deploy = createDeployAction({ deployments });
    const first = context(request);
    await deploy.handler(first.ctx);
    expect(first.outputs).toMatchObject({
      revision: 1,
      status: 'succeeded',
      entityUrl: '/catalog/default/component/payments-api',
    });
    const live = await admin.makeApiClient(AppsV1Api).readNamespacedDeployment({
      name: 'payments-api',
      namespace: 'actions-payments-api-development',
    });
    expect(live.status?.readyReplicas).toBe(2);

    // The scaffolder retries the task: the checkpoint answers, nothing is applied again.
    const retry = context(request, { checkpoints: first.checkpoints });
    await deploy.handler(retry.ctx);
    expect(retry.outputs.revision).toBe(1);
    const history = await deployments.history(
      {
        environment: 'development',
        namespace: 'actions-payments-api-development',
        name: 'payments-api',
      },
      { credentials },
    );
    expect(history).toHaveLength(1);
    // Each step of the change is in the task log.
    const log = (first.ctx.logger.info as jest.Mock).mock.calls.map(c => c[0]);
    expect(log).toEqual(
      expect.arrayContaining([
        'Revision 1: queued',
        'Revision 1: applying',
        'Revision 1: verifying',
        // With what the readiness verification found (here: no health target).
        expect.stringMatching(/^Revision 1: succeeded \(readiness contract/),
        'Revision 1 is Ready in development',
      ]),
    );
  });

  it('deployments:deploy queues one change when a retried task lost the checkpoint of its first attempt', async () => {
    const deploy = createDeployAction({ deployments });
    const input = { ...request, replicas: 3 };
    const key = {
      environment: 'development' as const,
      namespace: 'actions-payments-api-development',
      name: 'payments-api',
    };
    const before = await deployments.history(key, { credentials });
    // Both attempts belong to one task; the second starts without the
    // first's checkpoint (it crashed after the change was queued).
    const first = context(input, { taskId: 'task-retried' });
    const second = context(input, { taskId: 'task-retried' });
    await Promise.all([deploy.handler(first.ctx), deploy.handler(second.ctx)]);
    expect(first.outputs.revision).toBe(second.outputs.revision);
    const after = await deployments.history(key, { credentials });
    expect(after).toHaveLength(before.length + 1);
  });

  it('deployments:deploy to production ends with pending-approval and a link, applying nothing', async () => {
    const deploy = createDeployAction({ deployments });
    const production = {
      ...request,
      environment: 'production',
      image: { ...request.image, digest: `sha256:${'f'.repeat(64)}` },
      env: [{ name: 'ENVIRONMENT', value: 'production' }],
      changeReference: 'https://jira.acme.example/browse/OPS-9',
    };
    const first = context(production);
    await deploy.handler(first.ctx);
    expect(first.outputs).toEqual({
      status: 'pending-approval',
      approvalId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      approvalUrl: `/deployments/approvals/${first.outputs.approvalId}`,
      namespace: 'actions-payments-api-production',
      entityUrl: '/catalog/default/component/payments-api',
    });
    expect(first.ctx.logger.info).toHaveBeenCalledWith(
      expect.stringContaining(
        'production requires approval: nothing was applied yet. Awaiting approval by a member of group:default/team-payments other than user:default/ada, or a release manager',
      ),
    );
    const list = await admin.makeApiClient(AppsV1Api).listNamespacedDeployment({
      namespace: 'actions-payments-api-production',
    });
    expect(list.items).toHaveLength(0);
    const approval = await deployments.getApproval(
      first.outputs.approvalId as string,
      { credentials },
    );
    expect(approval).toMatchObject({
      status: 'pending',
      requester: 'user:default/ada',
      taskId: 'task-1',
      environment: 'production',
    });

    // A retried task does not ask twice.
    const retry = context(production, { checkpoints: first.checkpoints });
    await deploy.handler(retry.ctx);
    expect(retry.outputs.approvalId).toBe(first.outputs.approvalId);
    const pending = await deployments.listApprovals(
      { status: 'pending', entityRef: 'component:default/payments-api' },
      { credentials },
    );
    expect(pending.map(a => a.id)).toEqual([first.outputs.approvalId]);
  });

  it('deployments:promote takes the same image and settings to the next environment', async () => {
    const { ctx, outputs } = context({
      application: 'component:default/payments-api',
      from: 'development',
      to: 'test',
    });
    await createPromoteAction({ deployments }).handler(ctx);
    expect(outputs).toMatchObject({
      environment: 'test',
      revision: 1,
      image: 'ghcr.io/acme/payments-api:1.0.0',
    });
    const live = await admin.makeApiClient(AppsV1Api).readNamespacedDeployment({
      name: 'payments-api',
      namespace: 'actions-payments-api-test',
    });
    expect(live.spec?.template.spec?.containers[0].image).toBe(
      'ghcr.io/acme/payments-api:1.0.0',
    );
    const config = await admin
      .makeApiClient(CoreV1Api)
      .readNamespacedConfigMap({
        name: 'payments-api-env',
        namespace: 'actions-payments-api-test',
      });
    expect(config.data?.ENVIRONMENT).toBe('test');
  });

  it('deployments:promote refuses to skip an environment', async () => {
    const { ctx } = context({
      application: 'component:default/payments-api',
      from: 'development',
      to: 'acceptance',
    });
    await expect(
      createPromoteAction({ deployments }).handler(ctx),
    ).rejects.toThrow(
      'Refusing to promote from development to acceptance: the next environment after development is test',
    );
  });

  it('runs every example', async () => {
    for (const [action, examples] of [
      [createValidateAction({ deployments }), validateExamples],
      [createDeployAction({ deployments }), deployExamples],
      [createPromoteAction({ deployments }), promoteExamples],
    ] as const) {
      for (const example of examples) {
        for (const step of yaml.parse(example.example).steps) {
          expect(step.action).toBe(action.id);
          await expect(
            action.handler(context(step.input).ctx),
          ).resolves.toBeUndefined();
        }
      }
    }
  });
});
