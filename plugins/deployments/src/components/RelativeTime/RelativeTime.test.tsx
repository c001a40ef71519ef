import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { formatDateTime } from '../../lib/format';
import { RelativeTime } from './RelativeTime';

describe('RelativeTime', () => {
  it('says how long ago, with the exact time in a tooltip and the <time> element', async () => {
    const at = new Date(Date.now() - 5 * 60_000 - 10_000).toISOString();
    await renderInTestApp(<RelativeTime value={at} />);
    const time = screen.getByText('5 min ago');
    expect(time.tagName).toBe('TIME');
    expect(time).toHaveAttribute('datetime', at);

    await userEvent.hover(time);
    const tooltip = await screen.findByRole('tooltip');
    expect(within(tooltip).getByText(formatDateTime(at))).toBeInTheDocument();
  });

  it('says how long until a time to come, after a prefix', async () => {
    const at = new Date(Date.now() + 3 * 3600_000 + 60_000).toISOString();
    await renderInTestApp(<RelativeTime value={at} prefix="expires" />);
    expect(screen.getByText('expires in 3 h')).toBeInTheDocument();
  });

  it('shows a dash without a time', async () => {
    await renderInTestApp(<RelativeTime value={undefined} />);
    expect(screen.getByText('—')).toBeInTheDocument();
  });
});
