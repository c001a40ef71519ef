import { screen, waitFor, within } from '@testing-library/react';
import { DeliveryInsights } from '@deployments-portal/backstage-plugin-deployments-common';
import { InsightsFilter } from '../../api';
import { renderWithDeploymentsApi, testUser } from '../../__testUtils__/render';
import { DeliveryInsightsPanel } from './DeliveryInsightsPanel';
import {
  frequencyPoints,
  headlineEnvironment,
  trendPoints,
} from './insightsData';

const none = {
  deployments: 0,
  succeeded: 0,
  failed: 0,
  deploymentsPerDay: 0,
  leadTimeSamples: 0,
  restores: 0,
};

function insights(days: 7 | 30 | 90 = 7): DeliveryInsights {
  const production = {
    deployments: 10,
    succeeded: 8,
    failed: 2,
    deploymentsPerDay: 10 / days,
    changeFailureRate: 0.2,
    meanDeploySeconds: 150,
    leadTimeSamples: 3,
    meanLeadTimeSeconds: 5400,
    restores: 2,
    meanTimeToRestoreSeconds: 900,
  };
  return {
    window: {
      days,
      from: '2026-06-24T00:00:00.000Z',
      until: '2026-06-30T12:00:00.000Z',
      bucketDays: 1,
    },
    targets: {
      successRate: 0.95,
      meanDeploySeconds: 300,
      timeToRestoreSeconds: 600,
      firstDeploySeconds: 900,
    },
    environments: ['development', 'test', 'acceptance', 'production'],
    overall: production,
    byEnvironment: [
      { environment: 'development', ...none, deployments: 4, succeeded: 4 },
      { environment: 'production', ...production },
    ],
    byTeam: [],
    series: [
      {
        start: '2026-06-24T00:00:00.000Z',
        environment: 'development',
        ...none,
        deployments: 4,
      },
      {
        start: '2026-06-24T00:00:00.000Z',
        environment: 'production',
        ...production,
      },
      {
        start: '2026-06-25T00:00:00.000Z',
        environment: 'production',
        ...none,
      },
    ],
    firstDeployments: { applications: 2, withinTarget: 1, meanSeconds: 1200 },
  };
}

describe('DeliveryInsightsPanel', () => {
  it('shows the DORA figures against the targets and asks again for another window', async () => {
    const asked: InsightsFilter[] = [];
    await renderWithDeploymentsApi(
      <DeliveryInsightsPanel
        filter={{ team: 'group:default/team-payments' }}
      />,
      {
        getInsights: async filter => {
          asked.push(filter!);
          return insights(filter?.windowDays);
        },
      },
    );
    const failureRate = await screen.findByTestId(
      'insights-tile-Change failure rate',
    );
    expect(failureRate).toHaveTextContent('20 %');
    expect(failureRate).toHaveTextContent('target < 5 % · missed');
    expect(
      screen.getByTestId('insights-tile-Mean deploy time'),
    ).toHaveTextContent('2 min 30 s' + 'target < 5 min · met');
    expect(
      screen.getByTestId('insights-tile-Time to restore'),
    ).toHaveTextContent('target < 10 min · missed');
    expect(
      screen.getByTestId('insights-tile-Lead time for changes'),
    ).toHaveTextContent('1 h 30 min');
    expect(
      screen.getByTestId('insights-tile-First deployments'),
    ).toHaveTextContent('1 of 2');
    expect(screen.getByText(/Figures for production/)).toBeInTheDocument();
    // the charts are there with their targets named
    expect(
      screen.getByRole('figure', {
        name: /Change failure rate: .*target below 5 %/,
      }),
    ).toBeInTheDocument();
    expect(asked).toEqual([
      { team: 'group:default/team-payments', windowDays: 30 },
    ]);

    await testUser().click(screen.getByRole('button', { name: 'last 7 days' }));
    await waitFor(() =>
      expect(asked.at(-1)).toEqual({
        team: 'group:default/team-payments',
        windowDays: 7,
      }),
    );
    expect(
      within(
        screen.getByTestId('insights-tile-Deployment frequency'),
      ).getByText('1.4 / day'),
    ).toBeInTheDocument();
  });

  it('shows the figures of the furthest environment with changes when production has none', async () => {
    const value = insights();
    await renderWithDeploymentsApi(
      <DeliveryInsightsPanel filter={{ entityRef: 'component:default/a' }} />,
      {
        getInsights: async () => ({
          ...value,
          // production's (the answer's overall) are empty
          overall: { ...none },
          byEnvironment: [value.byEnvironment[0]],
        }),
      },
    );
    expect(
      await screen.findByText(/Figures for development/),
    ).toBeInTheDocument();
    expect(
      screen.getByTestId('insights-tile-Deployment frequency'),
    ).toHaveTextContent('4 in 7 days');
  });

  it('turns the series into chart points per step', () => {
    const value = insights();
    expect(headlineEnvironment(value)).toBe('production');
    expect(
      frequencyPoints(value).map(p => [p.label, p.development, p.production]),
    ).toEqual([
      ['24 Jun', 4, 10],
      ['25 Jun', 0, 0],
    ]);
    expect(trendPoints(value, 'production')).toEqual([
      expect.objectContaining({
        changeFailurePercent: 20,
        deployMinutes: 2.5,
        restoreMinutes: 15,
        leadTimeHours: 1.5,
      }),
      expect.objectContaining({
        changeFailurePercent: null,
        deployMinutes: null,
        restoreMinutes: null,
        leadTimeHours: null,
      }),
    ]);
    // Without changes in production: the furthest environment that has some.
    expect(
      headlineEnvironment({
        ...value,
        byEnvironment: [value.byEnvironment[0]],
      }),
    ).toBe('development');
  });
});
