// The legacy frontend system, rendered with @backstage/test-utils: a legacy
// app (core-app-api), with its own routing and API registry, and no
// new-system route resolution to fall back on.
import { screen, waitFor, within } from '@testing-library/react';
import {
  MockPermissionApi,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import {
  ApiRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { ENTITY_REF, deployableEntity } from './__testUtils__/deployments';
import { mixedHealth } from './__testUtils__/health';
import { DeploymentsApi, deploymentsApiRef, DeploymentsClient } from './api';
import {
  DeploymentsDashboardPage,
  EntityDeploymentsContent,
  EntityServiceHealthCard,
  EntityServiceHealthContent,
  isDeployableEntity,
  legacyDeploymentsPlugin,
} from './index';
import { scaffolderTemplateRouteRef } from './routes';
import { allFour, fakeApi } from './__testUtils__/entityDeployments';

/**
 * Gives a routable extension its path, as `<Route path element>` or
 * `<EntityLayout.Route path>` do in an app: the legacy route collector reads
 * the `path` and `element` props of any element.
 */
function Mount(props: { path: string; element: JSX.Element }) {
  return props.element;
}

function apis(api: Partial<DeploymentsApi>) {
  return [
    [deploymentsApiRef, api],
    [permissionApiRef, new MockPermissionApi()],
  ] as const;
}

// Whole pages of material-table tables render slowly in jsdom on a busy
// machine; this is a budget, not a measurement.
jest.setTimeout(20_000);

describe('legacy frontend system', () => {
  it('provides the API through a core-plugin-api factory', async () => {
    const factory = [...legacyDeploymentsPlugin.getApis()].find(
      f => f.api.id === deploymentsApiRef.id,
    )!;
    expect(factory.deps).toEqual({
      discoveryApi: discoveryApiRef,
      fetchApi: fetchApiRef,
    });
    const calls: string[] = [];
    const client = factory.factory({
      discoveryApi: {
        getBaseUrl: async () => 'http://backend/api/deployments',
      },
      fetchApi: {
        fetch: async (url: string) => {
          calls.push(url);
          return new Response(JSON.stringify({ items: [] }), { status: 200 });
        },
      },
    }) as DeploymentsApi;

    expect(client).toBeInstanceOf(DeploymentsClient);
    await client.listEnvironments();
    expect(calls).toEqual(['http://backend/api/deployments/environments']);
    // The same ref object serves useApi of both systems.
    expect((factory.api as ApiRef<unknown>).id).toBe('plugin.deployments.api');
  });

  it('renders the Deployments tab, with template links resolved by the legacy router', async () => {
    await renderInTestApp(
      <TestApiProvider apis={apis(fakeApi(allFour))}>
        <EntityProvider entity={deployableEntity()}>
          <Mount path="/deployments" element={<EntityDeploymentsContent />} />
        </EntityProvider>
      </TestApiProvider>,
      {
        mountedRoutes: {
          '/create/templates/:namespace/:templateName':
            scaffolderTemplateRouteRef,
        },
      },
    );

    const production = await screen.findByTestId('environment-production');
    expect(within(production).getByText('2/2 ready')).toBeInTheDocument();
    const deploy = screen.getByText('Deploy to production');
    expect(deploy.closest('a')).toHaveAttribute(
      'href',
      `/create/templates/default/deploy-application?formData=${encodeURIComponent(
        JSON.stringify({
          application: ENTITY_REF,
          environment: 'production',
          repository: 'ghcr.io/acme/payments-api',
        }),
      )}`,
    );
  });

  it('renders the Service Health tab and card', async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={apis({
          getEntityHealth: async () => mixedHealth(),
          getHealthTimeline: async () => ({
            entityRef: ENTITY_REF,
            entries: [],
          }),
        })}
      >
        <EntityProvider entity={deployableEntity()}>
          <EntityServiceHealthCard refreshIntervalMs={0} />
          <Mount
            path="/service-health"
            element={<EntityServiceHealthContent refreshIntervalMs={0} />}
          />
        </EntityProvider>
      </TestApiProvider>,
      {
        mountedRoutes: {
          '/catalog/:namespace/:kind/:name': entityRouteRef,
        },
      },
    );

    await waitFor(() =>
      expect(screen.getAllByTestId('overall-health')).toHaveLength(2),
    );
    expect(screen.getByTestId('health-row-production')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /View service health/ }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/payments-api/service-health',
    );
  });

  it('renders the dashboard page', async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={apis({
          getDashboard: async () => ({
            environments: [],
            deployments: [],
            recentFailures: [],
            figures: [],
            firstDeployments: [],
          }),
          listEnvironments: async () => [],
        })}
      >
        <Mount path="/deployments" element={<DeploymentsDashboardPage />} />
      </TestApiProvider>,
    );

    expect(
      await screen.findByText(
        'Delivery figures per team and environment (last 30 days)',
      ),
    ).toBeInTheDocument();
  });

  it('tells EntitySwitch which entities are deployable', () => {
    const entity = deployableEntity();
    expect(isDeployableEntity(entity)).toBe(true);
    const withoutImage: Entity = {
      ...entity,
      metadata: { name: 'docs-site', annotations: {} },
    };
    expect(isDeployableEntity(withoutImage)).toBe(false);
    expect(isDeployableEntity({ ...entity, kind: 'Resource' })).toBe(false);
  });
});
