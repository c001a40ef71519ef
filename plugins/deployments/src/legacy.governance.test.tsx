// The Approvals page in the legacy frontend system, rendered with
// @backstage/test-utils: core-app-api routing, no new-system fallback.
import { screen } from '@testing-library/react';
import {
  MockPermissionApi,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { identityApiRef } from '@backstage/core-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { DeploymentsApi, deploymentsApiRef } from './api';
import { DeploymentApprovalsPage, legacyDeploymentsPlugin } from './index';
import { approvalsRouteRef } from './routes';
import { approval, APPROVAL_ID } from './__testUtils__/governance';

/** Gives a routable extension its path, as `<Route path element>` does. */
function Mount(props: { path: string; element: JSX.Element }) {
  return props.element;
}

jest.setTimeout(20_000);

function apis(api: Partial<DeploymentsApi>) {
  return [
    [deploymentsApiRef, api],
    [permissionApiRef, new MockPermissionApi()],
    [
      identityApiRef,
      {
        getBackstageIdentity: async () => ({
          type: 'user' as const,
          userEntityRef: 'user:default/grace',
          ownershipEntityRefs: ['user:default/grace'],
        }),
      },
    ],
  ] as const;
}

describe('legacy frontend system: DeploymentApprovalsPage', () => {
  it('is a routable extension on the approvals route', () => {
    expect(legacyDeploymentsPlugin.routes).toMatchObject({
      approvals: approvalsRouteRef,
    });
  });

  it('lists the requests at /deployments/approvals', async () => {
    const listApprovals = jest.fn(async () => [approval()]);
    await renderInTestApp(
      <TestApiProvider apis={apis({ listApprovals })}>
        <Mount
          path="/deployments/approvals"
          element={<DeploymentApprovalsPage />}
        />
      </TestApiProvider>,
      {
        routeEntries: ['/deployments/approvals'],
        mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      },
    );

    expect(await screen.findByText('Deployment approvals')).toBeInTheDocument();
    expect(
      await screen.findByRole('link', { name: 'Deploy in production' }),
    ).toHaveAttribute('href', `/deployments/approvals/${APPROVAL_ID}`);
    expect(listApprovals).toHaveBeenCalledWith({});
  });

  it('shows a request at its own path, with the decision buttons', async () => {
    const getApproval = jest.fn(async () => approval());
    await renderInTestApp(
      <TestApiProvider apis={apis({ getApproval })}>
        <Mount
          path="/deployments/approvals"
          element={<DeploymentApprovalsPage />}
        />
      </TestApiProvider>,
      {
        routeEntries: [`/deployments/approvals/${APPROVAL_ID}`],
        mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      },
    );

    expect(await screen.findByTestId('approval-details')).toBeInTheDocument();
    expect(getApproval).toHaveBeenCalledWith(APPROVAL_ID);
    expect(
      await screen.findByRole('button', { name: 'Approve' }),
    ).toBeInTheDocument();
  });
});
