import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { StatusChip } from './StatusChip';
import { StatusChipStatus, statusLook, StatusTone } from './statusLooks';

const cases: Array<[StatusChipStatus, string, StatusTone]> = [
  [{ kind: 'change', status: 'queued' }, 'queued', 'pending'],
  [{ kind: 'change', status: 'planning' }, 'planning', 'running'],
  [{ kind: 'change', status: 'applying' }, 'applying', 'running'],
  [{ kind: 'change', status: 'verifying' }, 'rolling out', 'running'],
  [{ kind: 'change', status: 'rolling-back' }, 'rolling back', 'warning'],
  [{ kind: 'change', status: 'succeeded' }, 'succeeded', 'ok'],
  [{ kind: 'change', status: 'failed' }, 'failed', 'error'],
  [{ kind: 'change', status: 'rolled-back' }, 'rolled back', 'warning'],
  [{ kind: 'change', status: 'cancelled' }, 'cancelled', 'neutral'],
  [{ kind: 'approval', status: 'pending' }, 'pending', 'pending'],
  [{ kind: 'approval', status: 'approved' }, 'approved, applying', 'running'],
  [
    { kind: 'approval', status: 'approved', result: 'applied' },
    'approved',
    'ok',
  ],
  [
    { kind: 'approval', status: 'approved', result: 'failed' },
    'approved, apply failed',
    'error',
  ],
  [{ kind: 'approval', status: 'rejected' }, 'rejected', 'warning'],
  [{ kind: 'approval', status: 'expired' }, 'expired', 'neutral'],
  [{ kind: 'approval', status: 'stale' }, 'stale', 'warning'],
  [{ kind: 'health', status: 'healthy' }, 'Healthy', 'ok'],
  [{ kind: 'health', status: 'degraded' }, 'Degraded', 'warning'],
  [{ kind: 'health', status: 'unhealthy' }, 'Unhealthy', 'error'],
  [{ kind: 'health', status: 'unreachable' }, 'Unreachable', 'error'],
  [{ kind: 'health', status: 'not-deployed' }, 'Not deployed', 'neutral'],
  [{ kind: 'probe', status: 'up' }, 'up', 'ok'],
  [{ kind: 'probe', status: 'down' }, 'down', 'error'],
  [{ kind: 'probe', status: 'unreachable' }, 'unreachable', 'warning'],
  [{ kind: 'audit', status: 'accepted' }, 'accepted', 'running'],
  [{ kind: 'audit', status: 'success' }, 'success', 'ok'],
  [{ kind: 'audit', status: 'failure' }, 'failure', 'error'],
  [{ kind: 'audit', status: 'refused' }, 'refused', 'warning'],
  [{ kind: 'audit', status: 'pending' }, 'pending', 'pending'],
];

describe('StatusChip', () => {
  it.each(cases)('%j reads %p (%s)', async (status, label, tone) => {
    expect(statusLook(status)).toEqual({ label, tone });
    await renderInTestApp(<StatusChip {...status} />);
    const chip = screen.getByTestId(`status-chip-${tone}`);
    expect(chip).toHaveTextContent(label);
    expect(screen.getAllByTestId(/^status-chip-/)).toHaveLength(1);
  });

  it('shows a status it does not know (a newer backend) as itself, neutral', async () => {
    const status = { kind: 'change', status: 'paused' } as never;
    await renderInTestApp(<StatusChip {...(status as StatusChipStatus)} />);
    expect(screen.getByTestId('status-chip-neutral')).toHaveTextContent(
      'paused',
    );
  });
});
