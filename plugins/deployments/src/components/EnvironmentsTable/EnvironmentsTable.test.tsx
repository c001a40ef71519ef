import { screen } from '@testing-library/react';
import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { ResponseError } from '@backstage/errors';
import { DeploymentsApi, deploymentsApiRef } from '../../api';
import { EnvironmentsTable } from './EnvironmentsTable';

function renderWith(api: Pick<DeploymentsApi, 'listEnvironments'>) {
  return renderInTestApp(
    <TestApiProvider
      apis={[[deploymentsApiRef, { ...api, validate: jest.fn() }]]}
    >
      <EnvironmentsTable />
    </TestApiProvider>,
  );
}

describe('EnvironmentsTable', () => {
  it('lists the environments with their cluster and approval rule', async () => {
    await renderWith({
      listEnvironments: async () => [
        {
          name: 'development',
          cluster: 'local-nonprod',
          namespacePattern: '{{ application }}-{{ environment }}',
          requiresApproval: false,
          production: false,
        },
        {
          name: 'production',
          cluster: 'local-prod',
          namespacePattern: '{{ application }}-{{ environment }}',
          requiresApproval: true,
          production: true,
        },
      ],
    });

    expect(await screen.findByText('production')).toBeInTheDocument();
    expect(screen.getByText('local-prod')).toBeInTheDocument();
    expect(screen.getByText('required')).toBeInTheDocument();
    expect(screen.getByText('not required')).toBeInTheDocument();
  });

  it('shows the backend error instead of an empty table', async () => {
    await renderWith({
      listEnvironments: async () => {
        throw await ResponseError.fromResponse(
          new Response(
            JSON.stringify({
              error: { name: 'NotAllowedError', message: 'Access denied' },
              response: { statusCode: 403 },
            }),
            { status: 403, headers: { 'content-type': 'application/json' } },
          ),
        );
      },
    });

    expect(await screen.findByText(/Access denied/)).toBeInTheDocument();
  });
});
