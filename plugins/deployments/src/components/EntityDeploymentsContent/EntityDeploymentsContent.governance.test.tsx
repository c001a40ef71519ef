import { AuditFilter } from '@deployments-portal/backstage-plugin-deployments-common';
import { screen, waitFor, within } from '@testing-library/react';
import { ENTITY_REF, responseError } from '../../__testUtils__/deployments';
import {
  allFour,
  fakeApi,
  productionKey,
  renderContent,
} from '../../__testUtils__/entityDeployments';
import {
  approval,
  APPROVAL_ID,
  APPROVER,
  auditEvent,
} from '../../__testUtils__/governance';
import { testUser } from '../../__testUtils__/render';

const user = testUser();

jest.setTimeout(20_000);

const pending = () => ({
  status: 'pending-approval' as const,
  approval: approval({ action: 'rollback' }),
});

describe('EntityDeploymentsContent: approvals and audit trail', () => {
  it('shows pending requests in their environment, with a link and Approve / Reject', async () => {
    let pendingRequests = [approval()];
    const api = fakeApi(allFour, {
      listApprovals: jest.fn(async () => pendingRequests),
      approve: jest.fn(async () =>
        approval({
          status: 'approved',
          decidedBy: APPROVER,
          changeId: '5f8f0a52-6f1e-4d5e-9e8a-2a1c0b7d9e10',
        }),
      ),
    });
    const production = await renderContent(api);

    const request = await within(production).findByTestId(
      `pending-approval-${APPROVAL_ID}`,
    );
    expect(api.listApprovals).toHaveBeenCalledWith({
      status: 'pending',
      entityRef: ENTITY_REF,
    });
    expect(request).toHaveTextContent('Waiting for approval');
    expect(request).toHaveTextContent('requested by ada');
    expect(
      within(request).getByRole('link', { name: 'View the request' }),
    ).toHaveAttribute('href', `/deployments/approvals/${APPROVAL_ID}`);
    // Only where it belongs.
    expect(
      within(screen.getByTestId('environment-test')).queryByText(
        /Waiting for approval/,
      ),
    ).toBeNull();

    const approve = within(request).getByRole('button', { name: 'Approve' });
    await waitFor(() => expect(approve).toBeEnabled());
    pendingRequests = [];
    await user.click(approve);
    await user.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'Approve',
      }),
    );

    await waitFor(() =>
      expect(api.approve).toHaveBeenCalledWith(APPROVAL_ID, ''),
    );
    // The tab reads the deployments and the pending requests again.
    await waitFor(() => expect(api.listApprovals).toHaveBeenCalledTimes(2));
    expect(api.getEntityDeployments).toHaveBeenCalledTimes(2);
    // The decided request leaves the list; what came of it stays.
    await waitFor(() =>
      expect(
        within(production).queryByTestId(`pending-approval-${APPROVAL_ID}`),
      ).toBeNull(),
    );
    expect(
      within(production).getByText(
        'Approved: the change is queued and runs now; this request shows its result when it ends.',
      ),
    ).toBeInTheDocument();
  });

  it('says a rollback in an approval environment was sent for approval (202)', async () => {
    const api = fakeApi(allFour, {
      rollback: jest.fn(async () => pending()),
    });
    const production = await renderContent(api);

    await user.click(
      within(production).getByRole('button', { name: /^History/ }),
    );
    await user.click(
      await within(production).findByRole('button', { name: 'Roll back to 2' }),
    );
    await user.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'Roll back',
      }),
    );

    expect(
      await within(production).findByText(
        /Sent for approval — the rollback of payments-api in production runs once an approver other than you approves it/,
      ),
    ).toBeInTheDocument();
    expect(api.rollback).toHaveBeenCalledWith(productionKey, 2);
    expect(
      within(production).getByRole('link', {
        name: 'View the approval request',
      }),
    ).toHaveAttribute('href', `/deployments/approvals/${APPROVAL_ID}`);
  });

  it('says a delete in an approval environment was sent for approval (202)', async () => {
    const api = fakeApi(allFour, {
      delete: jest.fn(async () => pending()),
    });
    const production = await renderContent(api);

    await user.click(
      within(production).getByRole('button', { name: 'Delete' }),
    );
    await user.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'Delete',
      }),
    );

    expect(
      await within(production).findByText(
        /Sent for approval — the deletion of payments-api in production/,
      ),
    ).toBeInTheDocument();
    // No "Deleted" claim for a change that did not run.
    expect(within(production).queryByText(/^Deleted/)).toBeNull();
  });

  it("keeps the tab working and says so when the requests can't be read", async () => {
    const api = fakeApi(allFour, {
      listApprovals: jest.fn(async () => {
        throw await responseError(404, 'NotFoundError', 'Not found');
      }),
    });
    const production = await renderContent(api);

    expect(
      await screen.findByText(
        'Could not read the pending approval requests: Not found',
      ),
    ).toBeInTheDocument();
    expect(within(production).getByText('2/2 ready')).toBeInTheDocument();
  });

  it('has a collapsible audit trail of the application', async () => {
    const api = fakeApi(allFour, {
      getAudit: jest.fn(async (filter?: AuditFilter) => ({
        items: filter?.action ? [] : [auditEvent()],
      })),
    });
    await renderContent(api);
    // Read up front: only the check for undelivered chat announcements.
    expect((api.getAudit as jest.Mock).mock.calls).toEqual([
      [expect.objectContaining({ action: 'notification.failed' })],
    ]);

    await user.click(screen.getByRole('button', { name: /Audit trail/ }));

    const trail = screen.getByTestId('audit-trail');
    expect(
      await within(trail).findByRole('link', { name: 'task-123' }),
    ).toHaveAttribute('href', '/create/tasks/task-123');
    expect(api.getAudit).toHaveBeenCalledWith({
      entityRef: ENTITY_REF,
      limit: 100,
    });
    expect(
      within(trail).getByRole('button', { name: 'Export CSV' }),
    ).toBeInTheDocument();
  });
  it('warns of chat announcements no webhook took', async () => {
    const api = fakeApi(allFour, {
      getAudit: jest.fn(async (filter?: AuditFilter) => ({
        items: filter?.action
          ? [
              auditEvent({
                id: 'n1',
                action: 'notification.failed',
                result: 'failure',
                actor: 'system',
                at: new Date().toISOString(),
                message:
                  'webhook team-chat (slack) did not take the deployed announcement: HTTP 404 Not Found',
              }),
            ]
          : [],
      })),
    });
    await renderContent(api);
    const alert = await screen.findByTestId('notification-failures');
    expect(alert).toHaveTextContent(
      'in production: webhook team-chat (slack) did not take the deployed announcement: HTTP 404 Not Found',
    );
  });
});
