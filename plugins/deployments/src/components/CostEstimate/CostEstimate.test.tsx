import { fireEvent, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import {
  costChange,
  estimateMonthlyCost,
  ValidationResult,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { DeploymentsApi, deploymentsApiRef } from '../../api';
import { PolicyPreviewField } from '../PolicyPreviewField';
import { CostChangeText, CostEstimate } from './CostEstimate';

const prices = {
  currency: 'EUR',
  cpuHour: 0.04,
  gibHour: 0.005,
  basis: 'requests' as const,
};

/** The deploy form around the field, with a button that adds a replica. */
function Form() {
  const [replicas, setReplicas] = useState(1);
  const formData = {
    application: 'component:default/payments-api',
    environment: 'development',
    repository: 'ghcr.io/acme/payments-api',
    tag: '1.4.2',
    replicas,
    size: 'M',
  };
  return (
    <>
      <button onClick={() => setReplicas(r => r + 1)}>more replicas</button>
      <PolicyPreviewField
        {...({
          onChange: () => {},
          formContext: { formData },
          uiSchema: { 'ui:options': { debounceMs: 0 } },
          schema: {},
          idSchema: { $id: 'policy' },
        } as any)}
      />
    </>
  );
}

describe('the cost estimate in the deploy form', () => {
  it('shows the estimate the validate answer carries, and follows the replicas', async () => {
    // The backend prices the request; here as it would, from what was sent.
    const validate = jest.fn(
      async (request: any): Promise<ValidationResult> => ({
        valid: true,
        errors: [],
        violations: [],
        diff: [],
        dryRun: { ok: true },
        cost: estimateMonthlyCost(request, prices),
      }),
    );
    const api = {
      validate,
      listEnvironments: jest.fn().mockResolvedValue([
        {
          name: 'development',
          cluster: 'local-nonprod',
          namespacePattern: '{{ application }}-{{ environment }}',
          requiresApproval: false,
          production: false,
        },
      ]),
    } as Pick<DeploymentsApi, 'listEnvironments' | 'validate'>;
    await renderInTestApp(
      <TestApiProvider apis={[[deploymentsApiRef, api]]}>
        <Form />
      </TestApiProvider>,
    );

    // Size M: 250m and 256Mi requested: 730 × (0.01 + 0.00125) = 8.2125.
    const estimate = await screen.findByTestId('cost-estimate');
    expect(estimate).toHaveTextContent(
      'Estimated cost: €8.21/month — €8.21 per replica a month, priced on requests',
    );
    expect(screen.getByText(/All policies pass/)).toBeInTheDocument();

    fireEvent.click(screen.getByText('more replicas'));
    await waitFor(() =>
      expect(screen.getByTestId('cost-estimate')).toHaveTextContent(
        'Estimated cost: €16.43/month',
      ),
    );
    expect(validate).toHaveBeenLastCalledWith(
      expect.objectContaining({ replicas: 2 }),
    );
  });

  it('shows nothing when the environment has no prices', async () => {
    await renderInTestApp(<CostEstimate estimate={undefined} />);
    expect(screen.queryByTestId('cost-estimate')).toBeNull();
  });

  it('shows a range with autoscaling', async () => {
    const estimate = estimateMonthlyCost(
      {
        replicas: 2,
        resources: {
          requests: { cpu: '1', memory: '1Gi' },
          limits: { cpu: '1', memory: '1Gi' },
        },
        autoscaling: { minReplicas: 2, maxReplicas: 6 },
      },
      prices,
    );
    await renderInTestApp(<CostEstimate estimate={estimate} />);
    expect(screen.getByTestId('cost-estimate')).toHaveTextContent(
      'Estimated cost: €65.70–€197.10/month (2–6 replicas) — €32.85 per replica a month',
    );
  });
});

describe('CostChangeText', () => {
  const small = estimateMonthlyCost(
    {
      replicas: 2,
      resources: {
        requests: { cpu: '250m', memory: '256Mi' },
        limits: { cpu: '1', memory: '1Gi' },
      },
    },
    prices,
  );
  const large = { ...small, replicas: 4, monthly: 32.85 };

  it('shows the difference to what runs now', async () => {
    await renderInTestApp(<CostChangeText change={costChange(large, small)} />);
    expect(screen.getByTestId('cost-change')).toHaveTextContent(
      '+€16.42/month (from €16.43/month to €32.85/month)',
    );
  });

  it('says new when nothing runs', async () => {
    await renderInTestApp(<CostChangeText change={costChange(small)} />);
    expect(screen.getByTestId('cost-change')).toHaveTextContent(
      'new: €16.43/month',
    );
  });
});
