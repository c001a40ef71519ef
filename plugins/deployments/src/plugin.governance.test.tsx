import { screen } from '@testing-library/react';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  mockApis,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { deploymentsApiRef } from './api';
import { deploymentApprovalsPage, deploymentsPlugin } from './plugin';
import { approval, APPROVAL_ID } from './__testUtils__/governance';

jest.setTimeout(30_000);

function renderPluginAt(path: string) {
  const api = {
    getDashboard: jest.fn(async () => ({
      environments: [],
      deployments: [],
      recentFailures: [],
      figures: [],
      firstDeployments: [],
    })),
    listEnvironments: jest.fn(async () => []),
    listApprovals: jest.fn(async () => [approval()]),
    getApproval: jest.fn(async () => approval()),
  };
  renderTestApp({
    features: [deploymentsPlugin],
    initialRouteEntries: [path],
    mountedRoutes: {
      '/catalog/:namespace/:kind/:name': convertLegacyRouteRef(entityRouteRef),
    },
    apis: [
      [deploymentsApiRef, api],
      mockApis.permission(),
      mockApis.identity({ userEntityRef: 'user:default/grace' }),
    ],
  });
  return api;
}

describe('deployments plugin: the Approvals page (new frontend system)', () => {
  it('is a page of its own at /deployments/approvals', () => {
    expect(
      deploymentsPlugin.getExtension('page:deployments/approvals'),
    ).toMatchObject({ kind: 'page', name: 'approvals' });
    expect(
      createExtensionTester(deploymentApprovalsPage).get(
        coreExtensionData.routePath,
      ),
    ).toBe('/deployments/approvals');
  });

  it('the app routes /deployments/approvals to it, not to the dashboard', async () => {
    const api = renderPluginAt('/deployments/approvals');

    expect(await screen.findByText('Deployment approvals')).toBeInTheDocument();
    expect(
      await screen.findByRole('link', { name: 'payments-api' }),
    ).toHaveAttribute('href', '/catalog/default/component/payments-api');
    expect(api.listApprovals).toHaveBeenCalledWith({});
    expect(api.getDashboard).not.toHaveBeenCalled();
  });

  it("the app routes a request's own link to its details", async () => {
    const api = renderPluginAt(`/deployments/approvals/${APPROVAL_ID}`);

    expect(
      await screen.findByTestId('approval-details', undefined, {
        timeout: 10_000,
      }),
    ).toBeInTheDocument();
    expect(api.getApproval).toHaveBeenCalledWith(APPROVAL_ID);
    expect(api.getDashboard).not.toHaveBeenCalled();
  });

  it('the dashboard stays at /deployments', async () => {
    const api = renderPluginAt('/deployments');

    expect(
      await screen.findByText(
        'Delivery figures per team and environment (last 30 days)',
      ),
    ).toBeInTheDocument();
    expect(api.getDashboard).toHaveBeenCalled();
    expect(
      (await screen.findByText('Approvals (1 pending)')).closest('a'),
    ).toHaveAttribute('href', '/deployments/approvals');
  });
});
