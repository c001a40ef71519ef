import { screen, within } from '@testing-library/react';
import { DeploymentsDashboard } from '@deployments-portal/backstage-plugin-deployments-common';
import { renderWithDeploymentsApi } from '../../__testUtils__/render';
import { TeamCostsCard } from './TeamCostsCard';

const dashboard: DeploymentsDashboard = {
  environments: ['development', 'production'],
  deployments: [],
  recentFailures: [],
  figures: [],
  firstDeployments: [],
};

describe('TeamCostsCard', () => {
  it('lists the monthly cost of what runs per team and environment', async () => {
    await renderWithDeploymentsApi(
      <TeamCostsCard
        dashboard={{
          ...dashboard,
          costs: [
            {
              team: 'group:default/team-orders',
              environment: 'production',
              currency: 'EUR',
              deployments: 2,
              monthly: 1234.5,
              monthlyMax: 2469,
            },
          ],
        }}
      />,
      {},
      { catalogRoutes: true },
    );
    const card = screen.getByTestId('dashboard-costs');
    expect(
      within(card).getByText(
        'Estimated monthly cost of what runs now, per team',
      ),
    ).toBeInTheDocument();
    expect(within(card).getByText('team-orders')).toBeInTheDocument();
    expect(within(card).getByText('€1,234.50')).toBeInTheDocument();
    expect(within(card).getByText('€2,469.00')).toBeInTheDocument();
  });

  it('is left out without prices', async () => {
    await renderWithDeploymentsApi(<TeamCostsCard dashboard={dashboard} />, {});
    expect(screen.queryByTestId('dashboard-costs')).toBeNull();
  });
});
