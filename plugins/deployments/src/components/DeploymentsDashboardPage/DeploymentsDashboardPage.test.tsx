import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import {
  DeliveryInsights,
  DeploymentsDashboard,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { DashboardFilter, DeploymentsApi } from '../../api';
import { record, responseError } from '../../__testUtils__/deployments';
import { DeploymentsDashboardPage } from './DeploymentsDashboardPage';
import { renderWithDeploymentsApi } from '../../__testUtils__/render';

const PAYMENTS = 'group:default/team-payments';
const ORDERS = 'group:default/team-orders';

function dashboard(filter: DashboardFilter = {}): DeploymentsDashboard {
  const all: DeploymentsDashboard = {
    environments: ['development', 'test', 'acceptance', 'production'],
    deployments: [
      { ...record('production'), team: PAYMENTS },
      {
        ...record('test', {
          entityRef: 'component:default/orders-api',
          name: 'orders-api',
          image: 'ghcr.io/acme/orders-api:2.0.0',
        }),
        team: ORDERS,
      },
    ],
    recentFailures: [
      {
        ...record('acceptance', {
          revision: 5,
          status: 'rolled-back',
          error:
            'Revision 5 did not become ready within 300 s; revision 4 restored',
        }),
        team: PAYMENTS,
      },
    ],
    figures: [
      {
        team: PAYMENTS,
        environment: 'production',
        deployments: 40,
        succeeded: 39,
        failed: 1,
        successRate: 0.975,
        meanDeploySeconds: 185,
        meanTimeToRecoverySeconds: 7800,
      },
      {
        team: PAYMENTS,
        environment: 'development',
        deployments: 12,
        succeeded: 12,
        failed: 0,
        successRate: 1,
        meanDeploySeconds: 42,
      },
      {
        team: ORDERS,
        environment: 'test',
        deployments: 0,
        succeeded: 0,
        failed: 0,
      },
    ],
    firstDeployments: [
      {
        entityRef: 'component:default/payments-api',
        team: PAYMENTS,
        firstRequestedAt: '2026-11-01T09:00:00Z',
        firstSucceededAt: '2026-11-02T11:00:00Z',
        seconds: 93600,
      },
      {
        entityRef: 'component:default/orders-api',
        team: ORDERS,
        firstRequestedAt: '2026-11-03T09:00:00Z',
      },
    ],
  };
  // Like the backend: narrowed by team and environment.
  const keep = (row: { team: string; environment?: string }) =>
    (!filter.team || row.team === filter.team) &&
    (!filter.environment ||
      !row.environment ||
      row.environment === filter.environment);
  return {
    environments: all.environments,
    deployments: all.deployments.filter(keep),
    recentFailures: all.recentFailures.filter(keep),
    figures: all.figures.filter(keep),
    firstDeployments: all.firstDeployments.filter(keep),
  };
}

/** Insights without changes, for the window asked. */
function noInsights(days: 7 | 30 | 90): DeliveryInsights {
  const none = {
    deployments: 0,
    succeeded: 0,
    failed: 0,
    deploymentsPerDay: 0,
    leadTimeSamples: 0,
    restores: 0,
  };
  return {
    window: {
      days,
      from: '2026-11-03T00:00:00.000Z',
      until: '2026-12-02T12:00:00.000Z',
      bucketDays: days > 30 ? 7 : 1,
    },
    targets: {
      successRate: 0.95,
      meanDeploySeconds: 300,
      timeToRestoreSeconds: 600,
      firstDeploySeconds: 900,
    },
    environments: ['development', 'test', 'acceptance', 'production'],
    overall: none,
    byEnvironment: [],
    byTeam: [],
    series: [],
    firstDeployments: { applications: 0, withinTarget: 0 },
  };
}

async function renderDashboard(getDashboard: DeploymentsApi['getDashboard']) {
  await renderWithDeploymentsApi(
    <DeploymentsDashboardPage />,
    {
      getDashboard,
      listEnvironments: async () => [],
      getInsights: async filter => noInsights(filter?.windowDays ?? 30),
    },
    { catalogRoutes: true },
  );
  return screen.findByText(
    'Delivery figures per team and environment (last 30 days)',
  );
}

const figuresRow = (team: string, environment: string) => {
  return within(screen.getByTestId('dashboard-figures'))
    .getAllByRole('row')
    .find(
      row =>
        row.textContent?.includes(team) &&
        within(row).queryByText(environment) !== null,
    )!;
};

/**
 * Picks an option of a filter (a MUI select opens on mouse down). Text
 * queries, and role queries only inside the small filter box: role queries
 * over the whole page of tables are slow in jsdom.
 */
async function choose(filter: 'Team' | 'Environment', option: string) {
  fireEvent.mouseDown(
    within(screen.getByTestId('dashboard-filters')).getByRole('button', {
      name: new RegExp(`^${filter}`),
    }),
  );
  fireEvent.click(
    await screen.findByText(option, { selector: '[role="option"]' }),
  );
}

// Whole pages of material-table tables render slowly in jsdom on a busy
// machine; this is a budget, not a measurement.
jest.setTimeout(20_000);

describe('DeploymentsDashboardPage', () => {
  it('formats the delivery figures per team and environment', async () => {
    await renderDashboard(async filter => dashboard(filter));

    const production = within(figuresRow('team-payments', 'production'));
    expect(production.getByText('97.5 %')).toBeInTheDocument();
    expect(production.getByText('3 min 5 s')).toBeInTheDocument();
    expect(production.getByText('2 h 10 min')).toBeInTheDocument();

    const development = within(figuresRow('team-payments', 'development'));
    expect(development.getByText('100 %')).toBeInTheDocument();
    expect(development.getByText('42 s')).toBeInTheDocument();
    // Never failed: no recovery time to speak of.
    expect(development.getByText('—')).toBeInTheDocument();

    const orders = within(figuresRow('team-orders', 'test'));
    expect(orders.getAllByText('—')).toHaveLength(3);
  });

  it('lists recent failures with their reason and the time to first deployment', async () => {
    await renderDashboard(async filter => dashboard(filter));

    const failures = screen.getByTestId('dashboard-failures');
    expect(
      within(failures).getByText(
        'Revision 5 did not become ready within 300 s; revision 4 restored',
      ),
    ).toBeInTheDocument();
    expect(within(failures).getByText('rolled back')).toBeInTheDocument();

    const first = screen.getByTestId('dashboard-first-deployments');
    expect(within(first).getByText('1 d 2 h')).toBeInTheDocument();
    expect(within(first).getByText('never')).toBeInTheDocument();
  });

  it('filters by team and environment', async () => {
    const getDashboard = jest.fn(async (filter?: DashboardFilter) =>
      dashboard(filter),
    );
    await renderDashboard(getDashboard);
    // The tables look back as far as the insights (30 days by default).
    expect(getDashboard).toHaveBeenLastCalledWith({ windowDays: 30 });

    await choose('Team', 'team-payments');
    await waitFor(() =>
      expect(getDashboard).toHaveBeenLastCalledWith({
        team: PAYMENTS,
        windowDays: 30,
      }),
    );
    await waitFor(() =>
      expect(screen.queryByText('ghcr.io/acme/orders-api:2.0.0')).toBeNull(),
    );

    await choose('Environment', 'production');
    await waitFor(() =>
      expect(getDashboard).toHaveBeenLastCalledWith({
        team: PAYMENTS,
        environment: 'production',
        windowDays: 30,
      }),
    );

    // The other team stays selectable although the answer no longer has it.
    fireEvent.mouseDown(
      within(screen.getByTestId('dashboard-filters')).getByRole('button', {
        name: /^Team team-payments/,
      }),
    );
    expect(
      await screen.findByText('team-orders', { selector: '[role="option"]' }),
    ).toBeInTheDocument();
  });

  it('shows the backend error', async () => {
    await renderWithDeploymentsApi(<DeploymentsDashboardPage />, {
      getDashboard: async () => {
        throw await responseError(403, 'NotAllowedError', 'Access denied');
      },
      listEnvironments: async () => [],
    });

    expect(await screen.findByText(/Access denied/)).toBeInTheDocument();
  });

  it('looks back as far as the insights: another window asks for the figures again', async () => {
    const getDashboard = jest.fn(async (filter?: DashboardFilter) =>
      dashboard(filter),
    );
    await renderDashboard(getDashboard);
    fireEvent.click(screen.getByRole('button', { name: 'last 90 days' }));
    await waitFor(() =>
      expect(getDashboard).toHaveBeenLastCalledWith({ windowDays: 90 }),
    );
    expect(
      await screen.findByText(
        'Delivery figures per team and environment (last 90 days)',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Time to first deployment (last 90 days)'),
    ).toBeInTheDocument();
  });
});
