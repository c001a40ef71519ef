import { screen } from '@testing-library/react';
import { Entity } from '@backstage/catalog-model';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { deploymentsApiRef } from './api';
import {
  deploymentsPlugin,
  entityDeploymentsContent,
  entityServiceHealthCard,
  entityServiceHealthContent,
} from './plugin';
import { deployableEntity } from './__testUtils__/deployments';
import { mixedHealth } from './__testUtils__/health';

const withoutImage: Entity = {
  ...deployableEntity(),
  metadata: { name: 'docs-site', annotations: {} },
};
const apiEntity: Entity = { ...deployableEntity(), kind: 'API' };

describe('deployments plugin (new frontend system)', () => {
  it.each([
    ['entity-content:deployments/deployments', 'entity-content', 'deployments'],
    [
      'entity-content:deployments/service-health',
      'entity-content',
      'service-health',
    ],
    ['entity-card:deployments/service-health', 'entity-card', 'service-health'],
    ['page:deployments', 'page', undefined],
  ])('adds %s to the app', (id, kind, name) => {
    // The ids under which the app (and app-config's `app.extensions`) knows them.
    expect(
      deploymentsPlugin.getExtension(id as 'page:deployments'),
    ).toMatchObject({ kind, name, namespace: 'deployments' });
  });

  it('names the tabs and gives them their paths', () => {
    const deployments = createExtensionTester(entityDeploymentsContent);
    expect(deployments.get(coreExtensionData.routePath)).toBe('/deployments');
    expect(deployments.get(EntityContentBlueprint.dataRefs.title)).toBe(
      'Deployments',
    );
    const health = createExtensionTester(entityServiceHealthContent);
    expect(health.get(coreExtensionData.routePath)).toBe('/service-health');
    expect(health.get(EntityContentBlueprint.dataRefs.title)).toBe(
      'Service Health',
    );
  });

  it('shows the tabs and the card only on Components with deployments/image', () => {
    const filters = [
      createExtensionTester(entityDeploymentsContent).get(
        EntityContentBlueprint.dataRefs.filterFunction,
      ),
      createExtensionTester(entityServiceHealthContent).get(
        EntityContentBlueprint.dataRefs.filterFunction,
      ),
      createExtensionTester(entityServiceHealthCard).get(
        EntityCardBlueprint.dataRefs.filterFunction,
      ),
    ];
    for (const filter of filters) {
      expect(filter!(deployableEntity())).toBe(true);
      expect(filter!(withoutImage)).toBe(false);
      expect(filter!(apiEntity)).toBe(false);
    }
  });

  it('the filter can be changed in app-config', () => {
    const filter = createExtensionTester(entityDeploymentsContent, {
      config: { filter: { kind: 'api' } },
    }).get(EntityContentBlueprint.dataRefs.filterFunction)!;
    expect(filter(apiEntity)).toBe(true);
    expect(filter(deployableEntity())).toBe(false);
  });

  it('renders the Service Health tab for the entity', async () => {
    const tester = createExtensionTester(entityServiceHealthContent);
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [deploymentsApiRef, { getEntityHealth: async () => mixedHealth() }],
        ]}
      >
        <EntityProvider entity={deployableEntity()}>
          {tester.reactElement()}
        </EntityProvider>
      </TestApiProvider>,
    );

    expect(await screen.findByTestId('overall-health')).toHaveTextContent(
      'Degraded',
    );
  });
});
