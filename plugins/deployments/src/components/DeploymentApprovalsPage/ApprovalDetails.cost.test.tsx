import { screen } from '@testing-library/react';
import {
  costChange,
  estimateMonthlyCost,
} from '@deployments-portal/backstage-plugin-deployments-common';
import {
  approval,
  APPROVAL_ID,
  APPROVER,
} from '../../__testUtils__/governance';
import { renderWithDeploymentsApi } from '../../__testUtils__/render';
import { ApprovalDetails } from './ApprovalDetails';

const prices = {
  currency: 'EUR',
  cpuHour: 0.04,
  gibHour: 0.005,
  basis: 'requests' as const,
};
const resources = {
  requests: { cpu: '1', memory: '1Gi' },
  limits: { cpu: '1', memory: '1Gi' },
};

describe('ApprovalDetails: monthly cost', () => {
  it('shows the difference to what runs now', async () => {
    const running = estimateMonthlyCost({ replicas: 2, resources }, prices);
    const asked = estimateMonthlyCost({ replicas: 3, resources }, prices);
    await renderWithDeploymentsApi(
      <ApprovalDetails id={APPROVAL_ID} />,
      {
        getApproval: async () => approval({ cost: costChange(asked, running) }),
      },
      { signedIn: APPROVER, catalogRoutes: true },
    );
    const details = await screen.findByTestId('approval-details');
    expect(details).toHaveTextContent('Monthly Cost');
    expect(screen.getByTestId('cost-change')).toHaveTextContent(
      '+€32.85/month (from €65.70/month to €98.55/month)',
    );
  });

  it('shows a new deployment as new', async () => {
    const asked = estimateMonthlyCost({ replicas: 2, resources }, prices);
    await renderWithDeploymentsApi(
      <ApprovalDetails id={APPROVAL_ID} />,
      { getApproval: async () => approval({ cost: costChange(asked) }) },
      { signedIn: APPROVER, catalogRoutes: true },
    );
    expect(await screen.findByTestId('cost-change')).toHaveTextContent(
      'new: €65.70/month',
    );
  });

  it('leaves the row out when the request carries no estimate', async () => {
    await renderWithDeploymentsApi(
      <ApprovalDetails id={APPROVAL_ID} />,
      { getApproval: async () => approval() },
      { signedIn: APPROVER, catalogRoutes: true },
    );
    expect(await screen.findByTestId('approval-details')).not.toHaveTextContent(
      'Monthly Cost',
    );
    expect(screen.queryByTestId('cost-change')).toBeNull();
  });
});
