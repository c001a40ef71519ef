import { screen, waitFor, within } from '@testing-library/react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { ApprovalRequest } from '@deployments-portal/backstage-plugin-deployments-common';
import { DeploymentsApi } from '../../api';
import { responseError } from '../../__testUtils__/deployments';
import {
  approval,
  APPROVAL_ID,
  APPROVER,
  REQUESTER,
} from '../../__testUtils__/governance';
import { ApprovalDecision } from './ApprovalDecision';
import { renderWithDeploymentsApi, testUser } from '../../__testUtils__/render';

const user = testUser();

jest.setTimeout(20_000);

async function renderDecision(options: {
  api: Partial<DeploymentsApi>;
  signedIn?: string;
  allowed?: boolean;
  request?: ApprovalRequest;
  onDecided?: (decided?: ApprovalRequest) => void;
}) {
  const permissionChecks: Array<{ name: string; resourceRef?: string }> = [];
  await renderWithDeploymentsApi(
    <ApprovalDecision
      approval={options.request ?? approval()}
      onDecided={options.onDecided}
    />,
    options.api,
    {
      signedIn: options.signedIn ?? APPROVER,
      permission: {
        authorize: request => {
          permissionChecks.push({
            name: request.permission.name,
            resourceRef: (request as { resourceRef?: string }).resourceRef,
          });
          return options.allowed === false
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW;
        },
      },
    },
  );
  return permissionChecks;
}

async function choose(button: 'Approve' | 'Reject', comment?: string) {
  await waitFor(() =>
    expect(screen.getByRole('button', { name: button })).toBeEnabled(),
  );
  await user.click(screen.getByRole('button', { name: button }));
  const dialog = await screen.findByRole('dialog');
  if (comment) {
    await user.type(
      within(dialog).getByLabelText('Comment (optional)'),
      comment,
    );
  }
  await user.click(within(dialog).getByRole('button', { name: button }));
}

describe('ApprovalDecision', () => {
  it('approves with a comment after confirmation and reports the apply', async () => {
    const decided = approval({
      status: 'approved',
      decidedBy: APPROVER,
      result: 'applied',
      revision: 5,
    });
    const api = { approve: jest.fn(async () => decided), reject: jest.fn() };
    const onDecided = jest.fn();
    const checks = await renderDecision({ api, onDecided });

    await choose('Approve', 'ship it');

    await waitFor(() =>
      expect(api.approve).toHaveBeenCalledWith(APPROVAL_ID, 'ship it'),
    );
    expect(api.reject).not.toHaveBeenCalled();
    expect(
      await screen.findByText('Approved and applied (revision 5).'),
    ).toBeInTheDocument();
    expect(onDecided).toHaveBeenCalledWith(decided);
    // The permission is decided for the request's entity (its owner).
    expect(checks).toContainEqual({
      name: 'deployments.approval.decide',
      resourceRef: 'component:default/payments-api',
    });
  });

  it('asks before approving and does nothing when cancelled', async () => {
    const api = { approve: jest.fn() };
    await renderDecision({ api });

    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Approve' })).toBeEnabled(),
    );
    await user.click(screen.getByRole('button', { name: 'Approve' }));
    const dialog = await screen.findByRole('dialog', {
      name: 'Approve the deployment of payments-api in production?',
    });
    expect(dialog).toHaveTextContent('Requested by ada');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.approve).not.toHaveBeenCalled();
  });

  it('rejects, and says that nothing was applied', async () => {
    const api = {
      reject: jest.fn(async () =>
        approval({ status: 'rejected', decidedBy: APPROVER }),
      ),
    };
    await renderDecision({ api });

    await choose('Reject');

    await waitFor(() =>
      expect(api.reject).toHaveBeenCalledWith(APPROVAL_ID, ''),
    );
    expect(
      await screen.findByText('Rejected: nothing was applied.'),
    ).toBeInTheDocument();
  });

  it('tells the approver when the approved change failed to apply', async () => {
    const api = {
      approve: jest.fn(async () =>
        approval({
          status: 'approved',
          result: 'failed',
          error: 'ImagePullBackOff: ghcr.io/acme/payments-api:1.4.2 not found',
        }),
      ),
    };
    await renderDecision({ api });

    await choose('Approve');

    expect(
      await screen.findByText(
        'Approved, but applying it failed: ImagePullBackOff: ghcr.io/acme/payments-api:1.4.2 not found',
      ),
    ).toBeInTheDocument();
  });

  it('does not let the requester decide on their own change (four-eyes)', async () => {
    const api = { approve: jest.fn(), reject: jest.fn() };
    await renderDecision({ api, signedIn: REQUESTER });

    expect(
      await screen.findByText(/four-eyes: you requested this change/),
    ).toBeInTheDocument();
    // Blocked, yet focusable, with the reason as the buttons' description.
    for (const name of ['Approve', 'Reject']) {
      const button = screen.getByRole('button', { name });
      expect(button).toHaveAttribute('aria-disabled', 'true');
      expect(button).toHaveAccessibleDescription(
        /four-eyes: you requested this change/,
      );
      await user.click(button);
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    }
  });

  it('says why when the permission policy does not allow deciding', async () => {
    // Another entity: usePermission caches decisions per permission and
    // resource across the tests of this file.
    await renderDecision({
      api: {},
      allowed: false,
      request: approval({ entityRef: 'component:default/orders-api' }),
    });

    expect(
      await screen.findByText(
        /You are not allowed to decide on changes of component:default\/orders-api/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Approve' })).toHaveAttribute(
      'aria-disabled',
      'true',
    );
    expect(
      screen.getByRole('button', { name: 'Approve' }),
    ).toHaveAccessibleDescription(/You are not allowed to decide on changes/);
  });

  it("shows the backend's conflict message when someone else decided first", async () => {
    const api = {
      approve: jest.fn(async () => {
        throw await responseError(
          409,
          'ConflictError',
          'already approved by user:default/linus at 2026-11-25T09:00:00Z',
        );
      }),
    };
    const onDecided = jest.fn();
    await renderDecision({ api, onDecided });

    await choose('Approve');

    expect(
      await screen.findByText(
        'Could not approve the deployment of payments-api in production: already approved by user:default/linus at 2026-11-25T09:00:00Z',
      ),
    ).toBeInTheDocument();
    // The caller reads the request again to show who decided.
    expect(onDecided).toHaveBeenCalledWith();
  });

  it("shows the backend's refusal (403)", async () => {
    const api = {
      reject: jest.fn(async () => {
        throw await responseError(
          403,
          'NotAllowedError',
          'four-eyes: user:default/ada requested this change and cannot decide on it',
        );
      }),
    };
    await renderDecision({ api });

    await choose('Reject');

    expect(
      await screen.findByText(
        /Could not reject the deployment of payments-api in production: four-eyes: user:default\/ada requested this change/,
      ),
    ).toBeInTheDocument();
  });

  it('shows nothing for a request that is no longer pending', async () => {
    await renderDecision({
      api: {},
      request: approval({ status: 'expired' }),
    });

    expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull();
  });
});
