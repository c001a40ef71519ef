import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  DeploymentStatusBadge,
  HealthStateBadge,
  ProbeStatusBadge,
} from './StatusBadges';

// core-components marks only the ok, warning and error icons with a test id.
function expectIcon(icon: string | undefined) {
  for (const id of ['status-ok', 'status-warning', 'status-error']) {
    if (id === icon) {
      expect(screen.getByTestId(id)).toBeInTheDocument();
    } else {
      expect(screen.queryByTestId(id)).not.toBeInTheDocument();
    }
  }
}

describe('status badges', () => {
  it.each([
    ['healthy', 'Healthy', 'status-ok'],
    ['degraded', 'Degraded', 'status-warning'],
    ['unhealthy', 'Unhealthy', 'status-error'],
    ['unreachable', 'Unreachable', 'status-error'],
    ['not-deployed', 'Not deployed', undefined],
  ] as const)('health state %s reads %s', async (state, label, icon) => {
    await renderInTestApp(<HealthStateBadge state={state} />);
    expect(screen.getByText(label)).toBeInTheDocument();
    expectIcon(icon);
  });

  it.each([
    ['succeeded', 'succeeded', 'status-ok'],
    ['failed', 'failed', 'status-error'],
    ['rolled-back', 'rolled back', 'status-warning'],
    ['rolling-back', 'rolling back', 'status-warning'],
    ['verifying', 'rolling out', undefined],
    ['applying', 'applying', undefined],
    ['planning', 'planning', undefined],
    ['queued', 'queued', undefined],
    ['cancelled', 'cancelled', undefined],
  ] as const)('deployment status %s reads %s', async (status, label, icon) => {
    await renderInTestApp(<DeploymentStatusBadge status={status} />);
    expect(screen.getByText(label)).toBeInTheDocument();
    expectIcon(icon);
  });

  it.each([
    ['up', 'status-ok'],
    ['down', 'status-error'],
    ['unreachable', 'status-warning'],
  ] as const)('probe %s', async (status, icon) => {
    await renderInTestApp(<ProbeStatusBadge status={status} />);
    expect(screen.getByText(status)).toBeInTheDocument();
    expectIcon(icon);
  });
});
