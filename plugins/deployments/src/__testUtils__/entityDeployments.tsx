import { screen } from '@testing-library/react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ApprovalRequest,
  AuditEvent,
  EntityDeployments,
  EnvironmentDeployments,
  EnvironmentName,
  nextEnvironment,
  OTAP_ENVIRONMENT_NAMES,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { DeploymentsApi, deploymentsApiRef } from '../api';
import { scaffolderTemplateRouteRef } from '../routes';
import {
  change,
  deployableEntity,
  ENTITY_REF,
  record,
  running,
} from './deployments';
import { EntityDeploymentsContent } from '../components/EntityDeploymentsContent';

// Shared by the tests of the Deployments tab.

export function environment(
  name: EnvironmentName,
  overrides: Partial<EnvironmentDeployments> = {},
): EnvironmentDeployments {
  return {
    environment: name,
    cluster: name === 'production' ? 'local-prod' : 'local-nonprod',
    namespace: `payments-api-${name}`,
    requiresApproval: name === 'production',
    // As the backend answers: where Promote goes in the configured order.
    next: nextEnvironment(name, OTAP_ENVIRONMENT_NAMES),
    deployments: [running(name)],
    ...overrides,
  };
}

export function fakeApi(
  answer: () => EntityDeployments,
  overrides: Partial<DeploymentsApi> = {},
) {
  return {
    getEntityDeployments: jest.fn(async () => answer()),
    getHistory: jest.fn(async key => [
      record(key.environment, { revision: 3 }),
      record(key.environment, {
        revision: 2,
        image: 'ghcr.io/acme/payments-api:1.4.1',
      }),
      record(key.environment, {
        revision: 1,
        status: 'failed',
        error: 'ImagePullBackOff',
      }),
    ]),
    restart: jest.fn(async key =>
      change(key.environment, { revision: 4, action: 'restart' }),
    ),
    scale: jest.fn(async key =>
      change(key.environment, { revision: 4, action: 'update' }),
    ),
    rollback: jest.fn(async key =>
      change(key.environment, { revision: 4, action: 'rollback' }),
    ),
    delete: jest.fn(async key =>
      change(key.environment, { revision: 4, action: 'delete' }),
    ),
    getChange: jest.fn(async (id: string) =>
      change('production', { id, revision: 4 }),
    ),
    cancelChange: jest.fn(async (id: string) =>
      change('production', { id, revision: 4, status: 'cancelled' }),
    ),
    listApprovals: jest.fn(async () => [] as ApprovalRequest[]),
    getAudit: jest.fn(async () => ({ items: [] as AuditEvent[] })),
    ...overrides,
  } satisfies Partial<DeploymentsApi>;
}

export const allFour = (): EntityDeployments => ({
  entityRef: ENTITY_REF,
  // In the configured order, as the backend answers.
  environments: [
    environment('development'),
    environment('test', { deployments: [] }),
    environment('acceptance', {
      deployments: [running('acceptance')],
      error: 'connect ECONNREFUSED 127.0.0.1:6443',
    }),
    environment('production'),
  ],
});

export async function renderContent(
  api: ReturnType<typeof fakeApi>,
  allowed: (name: string) => boolean = () => true,
  /** The environment whose section to wait for and return. */
  last = 'production',
) {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [deploymentsApiRef, api],
        mockApis.permission({
          authorize: request =>
            allowed(request.permission.name)
              ? AuthorizeResult.ALLOW
              : AuthorizeResult.DENY,
        }),
      ]}
    >
      <EntityProvider entity={deployableEntity()}>
        <EntityDeploymentsContent />
      </EntityProvider>
    </TestApiProvider>,
    {
      mountedRoutes: {
        '/create/templates/:namespace/:templateName': convertLegacyRouteRef(
          scaffolderTemplateRouteRef,
        ),
      },
    },
  );
  return screen.findByTestId(`environment-${last}`);
}

export const productionKey = {
  environment: 'production',
  namespace: 'payments-api-production',
  name: 'payments-api',
};
