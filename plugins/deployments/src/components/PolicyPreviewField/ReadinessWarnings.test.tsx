import { screen, waitFor } from '@testing-library/react';
import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { EntityReadiness } from '@deployments-portal/backstage-plugin-deployments-common';
import { DeploymentsApi, deploymentsApiRef } from '../../api';
import { EDIT_URL, readinessWithGaps } from '../../__testUtils__/readiness';
import { PolicyPreviewField } from './PolicyPreviewField';

async function renderField(options: {
  application: string;
  getReadiness: () => Promise<EntityReadiness>;
}) {
  const onChange = jest.fn();
  const getReadiness = jest.fn(options.getReadiness);
  const api: Pick<
    DeploymentsApi,
    'listEnvironments' | 'validate' | 'getReadiness'
  > = {
    listEnvironments: async () => [
      {
        name: 'development',
        cluster: 'local-nonprod',
        namespacePattern: '{{ application }}-{{ environment }}',
        requiresApproval: false,
        production: false,
      },
    ],
    validate: async () => ({
      valid: true,
      errors: [],
      diff: [],
      violations: [],
      dryRun: { ok: true },
    }),
    getReadiness,
  };
  await renderInTestApp(
    <TestApiProvider apis={[[deploymentsApiRef, api]]}>
      <PolicyPreviewField
        {...({
          onChange,
          formContext: {
            formData: {
              application: options.application,
              environment: 'development',
              repository: 'ghcr.io/acme/payments-api',
              tag: '1.4.2',
              replicas: 2,
              size: 'S',
            },
          },
          uiSchema: { 'ui:options': { debounceMs: 0 } },
          schema: {},
          idSchema: { $id: 'policy' },
        } as any)}
      />
    </TestApiProvider>,
  );
  return { onChange, getReadiness };
}

describe('PolicyPreviewField: readiness warnings', () => {
  it("warns of the chosen application's readiness gaps, with their fix, without blocking", async () => {
    const { onChange, getReadiness } = await renderField({
      application: 'component:default/payments-api',
      getReadiness: async () => readinessWithGaps(),
    });

    const runbook = await screen.findByTestId('readiness-warning-runbook');
    expect(runbook).toHaveTextContent(
      'Readiness: Runbook — No runbook link; add one to catalog-info.yaml (metadata.links, type or title runbook)',
    );
    expect(
      screen.getByRole('link', {
        name: /Add a runbook link to catalog-info.yaml/,
      }),
    ).toHaveAttribute('href', EDIT_URL);
    expect(screen.getByTestId('readiness-warning-secrets')).toHaveTextContent(
      'Secret payments-db in namespace payments-api-production',
    );
    // Only gaps: neither what is ready nor what could not be told.
    expect(
      screen.getAllByTestId(/^readiness-warning-/).map(e => e.dataset.testid),
    ).toEqual(['readiness-warning-runbook', 'readiness-warning-secrets']);
    expect(screen.getByText(/All policies pass/)).toBeInTheDocument();
    await waitFor(() =>
      expect(onChange).toHaveBeenLastCalledWith({ blocking: false }),
    );
    expect(getReadiness).toHaveBeenCalledWith('component:default/payments-api');
  });

  it('shows the policy check alone when the checklist cannot be read', async () => {
    await renderField({
      application: 'payments-api',
      getReadiness: async () => {
        throw new Error('backend unavailable');
      },
    });
    expect(await screen.findByText(/All policies pass/)).toBeInTheDocument();
    expect(screen.queryByTestId(/^readiness-warning-/)).toBeNull();
    expect(screen.queryByText(/backend unavailable/)).toBeNull();
  });
});
