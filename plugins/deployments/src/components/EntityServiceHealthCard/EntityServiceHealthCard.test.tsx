import { screen, within } from '@testing-library/react';
import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { deploymentsApiRef } from '../../api';
import { deployableEntity } from '../../__testUtils__/deployments';
import { mixedHealth } from '../../__testUtils__/health';
import { EntityServiceHealthCard } from './EntityServiceHealthCard';

describe('EntityServiceHealthCard', () => {
  it('sums up every environment and links to the Service Health tab', async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [deploymentsApiRef, { getEntityHealth: async () => mixedHealth() }],
        ]}
      >
        <EntityProvider entity={deployableEntity()}>
          <EntityServiceHealthCard refreshIntervalMs={0} />
        </EntityProvider>
      </TestApiProvider>,
      {
        mountedRoutes: {
          '/catalog/:namespace/:kind/:name':
            convertLegacyRouteRef(entityRouteRef),
        },
      },
    );

    expect(await screen.findByTestId('overall-health')).toHaveTextContent(
      'Degraded',
    );
    expect(screen.getAllByTestId(/^card-/).map(e => e.dataset.testid)).toEqual([
      'card-development',
      'card-test',
      'card-acceptance',
      'card-production',
    ]);
    const production = within(screen.getByTestId('card-production'));
    expect(production.getByText('Unreachable')).toBeInTheDocument();
    expect(
      production.getByText(
        'unreachable: connect ETIMEDOUT 10.0.0.1:6443 after 5 s',
      ),
    ).toBeInTheDocument();
    expect(
      within(screen.getByTestId('card-development')).getByText(
        '/health 12 ms · database connected · 2/2 pods ready',
      ),
    ).toBeInTheDocument();
    expect(
      within(screen.getByTestId('card-acceptance')).getByText(
        '/health 12 ms · database disconnected · 0/1 pods ready · 1 warning',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /View service health/ }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/payments-api/service-health',
    );
  });
});
