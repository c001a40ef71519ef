import { screen, waitFor, within } from '@testing-library/react';
import { DeploymentsApi } from '../../api';
import { responseError } from '../../__testUtils__/deployments';
import {
  approval,
  APPROVAL_ID,
  APPROVER,
} from '../../__testUtils__/governance';
import { DeploymentApprovalsPage } from './DeploymentApprovalsPage';
import { renderWithDeploymentsApi, testUser } from '../../__testUtils__/render';

const user = testUser();

jest.setTimeout(20_000);

const OTHER_ID = '11111111-2222-4333-8444-555555555555';

async function renderPage(api: Partial<DeploymentsApi>, path: string) {
  await renderWithDeploymentsApi(<DeploymentApprovalsPage />, api, {
    signedIn: APPROVER,
    path,
    catalogRoutes: true,
  });
}

describe('DeploymentApprovalsPage', () => {
  it('lists the requests, pending first, with what each one changes', async () => {
    const listApprovals = jest.fn(async () => [
      approval({
        id: OTHER_ID,
        status: 'rejected',
        createdAt: '2026-11-25T09:00:00Z',
        decidedBy: APPROVER,
      }),
      approval(),
    ]);
    await renderPage({ listApprovals }, '/deployments/approvals');

    const table = await screen.findByRole('table');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    // Pending first, although the rejected one is newer.
    expect(rows[0]).toHaveTextContent('pending');
    expect(rows[1]).toHaveTextContent('rejected');
    expect(rows[0]).toHaveTextContent('payments-api');
    expect(rows[0]).toHaveTextContent('production');
    expect(rows[0]).toHaveTextContent(
      'ghcr.io/acme/payments-api:1.4.1 → ghcr.io/acme/payments-api:1.4.2',
    );
    expect(rows[0]).toHaveTextContent('ada');
    expect(
      within(rows[0]).getByRole('link', { name: 'Deploy in production' }),
    ).toHaveAttribute('href', `/deployments/approvals/${APPROVAL_ID}`);
    expect(
      within(rows[0]).getByRole('link', { name: /browse\/OPS-42/ }),
    ).toHaveAttribute('href', 'https://jira.acme.example/browse/OPS-42');
    expect(listApprovals).toHaveBeenCalledWith({});
  });

  it('filters by status', async () => {
    const listApprovals = jest.fn(async () => [approval()]);
    await renderPage({ listApprovals }, '/deployments/approvals');
    await screen.findByRole('table');

    await user.click(screen.getByLabelText('Status'));
    await user.click(await screen.findByRole('option', { name: 'expired' }));

    await waitFor(() =>
      expect(listApprovals).toHaveBeenLastCalledWith({ status: 'expired' }),
    );
  });

  it("shows the backend's error when the list cannot be read", async () => {
    await renderPage(
      {
        listApprovals: async () => {
          throw await responseError(
            403,
            'NotAllowedError',
            'You may not read deployments of component:default/orders-api',
          );
        },
      },
      '/deployments/approvals',
    );

    expect(
      await screen.findByText(/You may not read deployments/),
    ).toBeInTheDocument();
  });

  it('shows one request at its own path and approves it there', async () => {
    let current = approval({ taskId: 'task-77' });
    const api = {
      getApproval: jest.fn(async () => current),
      approve: jest.fn(async () => {
        current = approval({
          status: 'approved',
          decidedBy: APPROVER,
          decidedAt: '2026-11-25T09:30:00Z',
          comment: 'go',
          result: 'applied',
          revision: 6,
        });
        return current;
      }),
    };
    await renderPage(api, `/deployments/approvals/${APPROVAL_ID}`);

    const details = await screen.findByTestId('approval-details');
    expect(api.getApproval).toHaveBeenCalledWith(APPROVAL_ID);
    expect(details).toHaveTextContent('payments-api-production');
    expect(
      within(details).getByRole('link', { name: 'task-77' }),
    ).toHaveAttribute('href', '/create/tasks/task-77');
    expect(
      screen.getByRole('link', { name: '← All approval requests' }),
    ).toHaveAttribute('href', '/deployments/approvals');

    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Approve' })).toBeEnabled(),
    );
    await user.click(screen.getByRole('button', { name: 'Approve' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByLabelText('Comment (optional)'), 'go');
    await user.click(within(dialog).getByRole('button', { name: 'Approve' }));

    await waitFor(() =>
      expect(api.approve).toHaveBeenCalledWith(APPROVAL_ID, 'go'),
    );
    // Read again: the request now shows the decision.
    await waitFor(() =>
      expect(screen.getByTestId('approval-details')).toHaveTextContent('grace'),
    );
    expect(screen.getByTestId('approval-details')).toHaveTextContent(
      'approved',
    );
  });

  it('shows a request that does not exist as the backend says', async () => {
    await renderPage(
      {
        getApproval: async () => {
          throw await responseError(
            404,
            'NotFoundError',
            `No approval request ${OTHER_ID}`,
          );
        },
      },
      `/deployments/approvals/${OTHER_ID}`,
    );

    expect(
      (
        await screen.findAllByText(
          new RegExp(`No approval request ${OTHER_ID}`),
        )
      )[0],
    ).toBeInTheDocument();
  });
});
