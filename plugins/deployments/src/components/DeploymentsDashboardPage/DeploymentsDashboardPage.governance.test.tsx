import { screen, waitFor, within } from '@testing-library/react';
import { DeploymentsApi } from '../../api';
import { approval, auditEvent } from '../../__testUtils__/governance';
import { DeploymentsDashboardPage } from './DeploymentsDashboardPage';
import { renderWithDeploymentsApi, testUser } from '../../__testUtils__/render';

const user = testUser();

jest.setTimeout(20_000);

const emptyDashboard = async () => ({
  environments: [],
  deployments: [],
  recentFailures: [],
  figures: [],
  firstDeployments: [],
});

async function renderDashboard(api: Partial<DeploymentsApi>) {
  await renderWithDeploymentsApi(
    <DeploymentsDashboardPage />,
    { getDashboard: emptyDashboard, listEnvironments: async () => [], ...api },
    { catalogRoutes: true },
  );
}

describe('DeploymentsDashboardPage: approvals and audit trail', () => {
  it('links to the Approvals page with the number of pending requests', async () => {
    const listApprovals = jest.fn(async () => [
      approval(),
      approval({ id: '11111111-2222-4333-8444-555555555555' }),
    ]);
    await renderDashboard({ listApprovals });

    const link = await screen.findByText('Approvals (2 pending)');
    expect(link.closest('a')).toHaveAttribute('href', '/deployments/approvals');
    expect(listApprovals).toHaveBeenCalledWith({ status: 'pending' });
  });

  it('still links to the Approvals page when the count is unknown', async () => {
    await renderDashboard({
      listApprovals: async () => {
        throw new Error('backend down');
      },
    });

    await waitFor(() =>
      expect(screen.getByText('Approvals').closest('a')).toHaveAttribute(
        'href',
        '/deployments/approvals',
      ),
    );
    expect(screen.queryByText(/pending\)/)).toBeNull();
  });

  it('has the global audit trail, with every application, and its export', async () => {
    const getAudit = jest.fn(async () => ({
      items: [auditEvent({ entityRef: 'component:default/orders-api' })],
    }));
    const exportAudit = jest.fn(async () => new Blob(['[]']));
    Object.assign(URL, {
      createObjectURL: jest.fn(() => 'blob:audit'),
      revokeObjectURL: jest.fn(),
    });
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(() => {});
    await renderDashboard({
      listApprovals: async () => [],
      getAudit,
      exportAudit,
    });

    await user.click(
      await screen.findByRole('button', {
        name: /Audit trail \(all applications\)/,
      }),
    );
    const trail = screen.getByTestId('audit-trail');
    expect(
      await within(trail).findByRole('link', { name: 'orders-api' }),
    ).toBeInTheDocument();
    expect(getAudit).toHaveBeenCalledWith({ limit: 100 });

    await user.click(
      within(trail).getByRole('button', { name: 'Export JSON' }),
    );
    await waitFor(() => expect(exportAudit).toHaveBeenCalledWith({}, 'json'));
    expect(click).toHaveBeenCalled();
    click.mockRestore();
  });
});
