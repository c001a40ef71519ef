import { screen, waitFor, within } from '@testing-library/react';
import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  EntityHealth,
  EntityHealthTimeline,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { deploymentsApiRef } from '../../api';
import {
  deployableEntity,
  ENTITY_REF,
  responseError,
} from '../../__testUtils__/deployments';
import { mixedHealth } from '../../__testUtils__/health';
import { EntityServiceHealthContent } from './EntityServiceHealthContent';
import { testUser } from '../../__testUtils__/render';

const user = testUser();

async function renderHealth(
  getEntityHealth: (
    ref: string,
    options?: { refresh?: boolean },
  ) => Promise<EntityHealth>,
  refreshIntervalMs = 0,
  getHealthTimeline: () => Promise<EntityHealthTimeline> = async () => ({
    entityRef: ENTITY_REF,
    entries: [],
  }),
) {
  await renderInTestApp(
    <TestApiProvider
      apis={[[deploymentsApiRef, { getEntityHealth, getHealthTimeline }]]}
    >
      <EntityProvider entity={deployableEntity()}>
        <EntityServiceHealthContent refreshIntervalMs={refreshIntervalMs} />
      </EntityProvider>
    </TestApiProvider>,
  );
}

const rowOf = (environment: string) =>
  screen.getByTestId(`health-row-${environment}`).closest('tr')!;

// Whole pages of material-table tables render slowly in jsdom on a busy
// machine; this is a budget, not a measurement.
jest.setTimeout(20_000);

describe('EntityServiceHealthContent', () => {
  it('shows one row per environment in the order the backend answers', async () => {
    await renderHealth(async () => mixedHealth());

    await screen.findByTestId('health-row-production');
    expect(
      screen.getAllByTestId(/^health-row-/).map(e => e.textContent),
    ).toEqual(['development', 'test', 'acceptance', 'production']);
  });

  it('shows an unreachable environment with its reason while the others show data', async () => {
    await renderHealth(async () => mixedHealth());
    await screen.findByTestId('health-row-production');

    const production = within(rowOf('production'));
    expect(production.getByText('Unreachable')).toBeInTheDocument();
    expect(
      production.getByText(
        'unreachable: connect ETIMEDOUT 10.0.0.1:6443 after 5 s',
      ),
    ).toBeInTheDocument();
    expect(
      within(screen.getByTestId('health-production')).getByText(
        'unreachable: connect ETIMEDOUT 10.0.0.1:6443 after 5 s',
      ),
    ).toBeInTheDocument();

    const development = within(rowOf('development'));
    expect(development.getByText('Healthy')).toBeInTheDocument();
    expect(development.getAllByText('up')).toHaveLength(3);
    expect(development.getByText('2/2')).toBeInTheDocument();
  });

  it('shows the probes: response time, database status, environment and time', async () => {
    await renderHealth(async () => mixedHealth());
    await screen.findByTestId('health-row-production');

    const test = within(rowOf('test'));
    expect(test.getByText('HTTP 200 · 12 ms')).toBeInTheDocument();
    expect(test.getByText('database: connected')).toBeInTheDocument();
    expect(test.getByText(/^environment: test · time: /)).toBeInTheDocument();

    const acceptance = within(rowOf('acceptance'));
    expect(acceptance.getByText('Degraded')).toBeInTheDocument();
    expect(acceptance.getByText('down')).toBeInTheDocument();
    expect(acceptance.getByText('database: disconnected')).toBeInTheDocument();
    expect(acceptance.getByText('HTTP 503: not ready')).toBeInTheDocument();
    expect(acceptance.getByText('0/1')).toBeInTheDocument();
  });

  it('lists pods and warning events with a suggested fix', async () => {
    await renderHealth(async () => mixedHealth());

    const acceptance = within(await screen.findByTestId('health-acceptance'));
    expect(acceptance.getByText('payments-api-5c4b-klmno')).toBeInTheDocument();
    expect(acceptance.getByText('BackOff')).toBeInTheDocument();
    expect(
      acceptance.getByText(/read its logs \(kubectl logs --previous\)/),
    ).toBeInTheDocument();
    const development = within(screen.getByTestId('health-development'));
    expect(
      development.getByText('payments-api-7d9f-fghij'),
    ).toBeInTheDocument();
    expect(development.getByText('No warnings.')).toBeInTheDocument();
  });

  it('shows the overall state', async () => {
    await renderHealth(async () => mixedHealth());

    expect(await screen.findByTestId('overall-health')).toHaveTextContent(
      'Degraded',
    );
  });

  it('probes again past the cache when Refresh is pressed', async () => {
    const getEntityHealth = jest.fn(async () => mixedHealth());
    await renderHealth(getEntityHealth);
    await screen.findByTestId('health-row-production');

    await user.click(screen.getByRole('button', { name: 'Refresh' }));

    await waitFor(() =>
      expect(getEntityHealth).toHaveBeenLastCalledWith(ENTITY_REF, {
        refresh: true,
      }),
    );
    expect(getEntityHealth).toHaveBeenCalledTimes(2);
  });

  it('reads the health again on its own', async () => {
    const getEntityHealth = jest.fn(async () => mixedHealth());
    await renderHealth(getEntityHealth, 50);

    await waitFor(() =>
      expect(getEntityHealth.mock.calls.length).toBeGreaterThanOrEqual(3),
    );
    expect(getEntityHealth).toHaveBeenCalledWith(ENTITY_REF, {
      refresh: false,
    });
  });

  it('keeps the last result when a refresh fails', async () => {
    const getEntityHealth = jest
      .fn<Promise<EntityHealth>, []>()
      .mockResolvedValueOnce(mixedHealth())
      .mockRejectedValue(
        await responseError(
          503,
          'ServiceUnavailableError',
          'Backend restarting',
        ),
      );
    await renderHealth(getEntityHealth);
    await screen.findByTestId('health-row-production');

    await user.click(screen.getByRole('button', { name: 'Refresh' }));

    expect(
      await screen.findByText(
        'Refresh failed, showing the previous result: Backend restarting',
      ),
    ).toBeInTheDocument();
    expect(screen.getByTestId('health-row-development')).toBeInTheDocument();
  });

  it('shows the backend error when there is no result at all', async () => {
    await renderHealth(async () => {
      throw await responseError(403, 'NotAllowedError', 'Access denied');
    });

    expect(await screen.findByText(/Access denied/)).toBeInTheDocument();
  });

  it('shows the timeline the health monitor recorded, newest first, with how long each state lasted', async () => {
    const getHealthTimeline = jest.fn(async () => ({
      entityRef: ENTITY_REF,
      entries: [
        {
          environment: 'production',
          state: 'healthy' as const,
          previous: 'unhealthy' as const,
          from: '2026-12-02T10:07:00.000Z',
          durationSeconds: 600,
        },
        {
          environment: 'production',
          state: 'unhealthy' as const,
          previous: 'healthy' as const,
          from: '2026-12-02T10:02:00.000Z',
          until: '2026-12-02T10:07:00.000Z',
          durationSeconds: 300,
          reason: 'readiness down (503)',
        },
      ],
    }));
    await renderHealth(async () => mixedHealth(), 0, getHealthTimeline);
    const timeline = await screen.findByTestId('health-timeline');
    await waitFor(() =>
      expect(timeline).toHaveTextContent('readiness down (503)'),
    );
    const rows = within(timeline).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('now');
    expect(rows[1]).toHaveTextContent('5 min');
    expect(getHealthTimeline).toHaveBeenCalledWith(ENTITY_REF, { limit: 20 });
  });

  it('keeps the page when the timeline cannot be read, saying why', async () => {
    await renderHealth(
      async () => mixedHealth(),
      0,
      async () => {
        throw new Error('timeline unavailable');
      },
    );
    expect(
      await screen.findByText(
        'The health timeline could not be read: timeline unavailable',
      ),
    ).toBeInTheDocument();
    expect(screen.getByTestId('overall-health')).toBeInTheDocument();
  });
});
